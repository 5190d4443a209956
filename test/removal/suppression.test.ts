import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../harness/app.ts";

/** Under a pack that keeps a Do Not Send list (partstore), a removal lists the address given. */
let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await buildTestApp({ company: "partstore" });
  admin = await t.apiKey("admin");
});
afterAll(() => t.close());

const post = (url: string, body: object) =>
  t.app.inject({ method: "POST", url, headers: { authorization: `Bearer ${admin}` }, payload: body });

describe("removal requests and the Do Not Send list", () => {
  it("puts the email given on the list even when nobody matched", async () => {
    const address = "nobody.here@example.com";
    const before = await post("/v1/suppression/check", { channel: "email", address });
    expect(before.json().suppressed).toBe(false);
    const r = await post("/v1/removal-requests", { email: address });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: "applied", matched: 0 });
    const after = await post("/v1/suppression/check", {
      channel: "email",
      address: "Nobody.Here@example.com",
    });
    expect(after.json()).toMatchObject({ suppressed: true, entry: { reason: "request", source: "staff" } });
    const audit = await t.store.db
      .selectFrom("audit_log")
      .select("payload")
      .where("type", "=", "request.fulfilled")
      .execute();
    expect(audit.at(-1)?.payload).toMatchObject({
      requestId: r.json().id,
      kind: "list_removal",
      result: { matched: 0, suppressed: 1, fields: ["email"] },
    });
    expect(JSON.stringify(audit)).not.toContain("nobody.here");
  });
});
