import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../harness/app.ts";

/** GET /v1/policy/changes on the zones packs (2016-11-28, then 2019-12-31), read on two dates. */
let later: TestApp;
let earlier: TestApp;
beforeAll(async () => {
  later = await buildTestApp({ company: "zones", clock: () => new Date("2020-06-01T12:00:00Z") });
  earlier = await buildTestApp({ company: "zones", clock: () => new Date("2018-06-01T12:00:00Z") });
});
afterAll(async () => {
  await later.close();
  await earlier.close();
});

const changes = (t: TestApp, from: string, to: string) =>
  t.app.inject({ method: "GET", url: `/v1/policy/changes?from=${from}&to=${to}` });

describe("what changed between two versions of the policy", () => {
  it("lists each change, marks the material ones with the rule that makes them so, without an account", async () => {
    const res = await changes(later, "2016-11-28", "2019-12-31");
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as {
      from: string;
      to: string;
      material: boolean;
      changes: { area: string; id: string; material: boolean; why: string | null }[];
    };
    expect(body).toMatchObject({ from: "2016-11-28", to: "2019-12-31", material: true });
    expect(body.changes).toContainEqual(
      expect.objectContaining({
        area: "category",
        id: "user.behavior.quotes",
        material: true,
        why: "a new category of data collected",
      }),
    );
    for (const c of body.changes) expect(c.why === null).toBe(!c.material);
    const none = (await changes(later, "2019-12-31", "2019-12-31")).json();
    expect(none).toMatchObject({ material: false, changes: [] });
  });

  it("an unknown version, or one not yet in effect, is a 404", async () => {
    expect((await changes(later, "2016-11-28", "2099-01-01")).statusCode).toBe(404);
    expect((await changes(earlier, "2016-11-28", "2019-12-31")).statusCode).toBe(404);
  });
});
