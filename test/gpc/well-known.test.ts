import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../harness/app.ts";

/** The GPC support resource (w3c/gpc "Support resource"), from the pack in force. */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ company: "zones", clock: () => new Date("2020-06-01T00:00:00Z") });
});
afterAll(() => t.close());

describe("GET /.well-known/gpc.json", () => {
  it("answers a JSON object with gpc true and the last-updated date of the policy in force", async () => {
    const res = await t.app.inject({ method: "GET", url: "/.well-known/gpc.json" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ gpc: true, lastUpdate: "2019-12-31" });
    expect(res.json().lastUpdate).toBe(t.pack().last_updated);
    expect(res.json().lastUpdate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("needs no key and is declared as touching no personal data", () => {
    const route = t.app.routeUses.find((r) => r.url === "/.well-known/gpc.json" && r.method === "GET");
    expect(route?.use).toEqual({ callers: { public: true }, personal: false });
  });
});
