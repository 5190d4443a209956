import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../../harness/app.ts";
import { lastUpdated, page } from "../published.ts";

describe("zones: earlier versions stay published", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ company: "zones", clock: () => new Date("2021-03-01T12:00:00Z") });
  });
  afterAll(() => t.close());

  it("Z16-16: after the 2019 version, the 2016 version is still published unchanged", async () => {
    const list = await t.app.inject({ method: "GET", url: "/policy/versions" });
    expect(list.statusCode).toBe(200);
    const { versions } = list.json() as { versions: { version: string; inForce: boolean; url: string }[] };
    expect(versions.map((v) => [v.version, v.inForce])).toEqual([
      ["2016-11-28", false],
      ["2019-12-31", true],
    ]);

    const old = await page(t, versions[0]!.url);
    expect(old.status).toBe(200);
    expect(old.version).toBe("2016-11-28");
    expect(old.body).toMatch(lastUpdated("2016-11-28"));
    expect(old.body).toContain('id="Z16-16"');
    expect(old.body).not.toContain('id="Z19-08"');

    const now = await page(t, "/policy");
    expect(now.version).toBe("2019-12-31");

    expect((await page(t, "/policy/versions/2015-01-01")).status).toBe(404);
  });
});
