import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { customer, get, gpcRows, grantSale, staffRecords } from "./helpers.ts";

/** Sec-GPC: 1 from a signed-in customer on partstore (sells with permission; shares catalogues). */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ company: "partstore" });
});
afterAll(() => t.close());

describe("a Sec-GPC: 1 request with a customer session", () => {
  it("records the opt-out of sale and sharing once, however many requests carry it", async () => {
    const c = await customer(t);
    await grantSale(t, c.subjectId);
    for (const url of ["/v1/account/me", "/v1/account/csrf", "/v1/account/me/addresses"]) {
      const res = await get(t, c, url, { "sec-gpc": "1" });
      expect(res.statusCode, res.body).toBe(200);
    }
    const rows = await gpcRows(t, c.subjectId);
    expect(rows.map((r) => [r.target_kind, r.target, r.action])).toEqual([
      ["sharing", "catalogues", "withdrawn"],
      ["permission", "sale", "withdrawn"],
    ]);
    for (const r of rows) expect(r.actor).toBe(`customer:${c.subjectId}`);
    const audited = await t.store.db
      .selectFrom("audit_log")
      .select(["actor", "payload"])
      .where("subject_id", "=", c.subjectId)
      .where("type", "=", "consent.recorded")
      .execute();
    const fromGpc = audited.filter((a) => (a.payload as { source: string }).source === "gpc");
    expect(fromGpc).toHaveLength(2);
    expect(fromGpc[0]?.actor).toBe(`customer:${c.subjectId}`);
  });

  it("records the first signal once even when the customer had nothing left to stop", async () => {
    const c = await customer(t);
    await get(t, c, "/v1/account/me", { "sec-gpc": "1" });
    await get(t, c, "/v1/account/me", { "sec-gpc": "1" });
    const rows = await gpcRows(t, c.subjectId);
    // Never granted sale: only the sharing scope is stopped, and nothing more is added later.
    expect(rows.map((r) => r.target)).toEqual(["catalogues"]);
    // Opted out of sharing by phone before any signal: the first signal stops nothing, and is
    // recorded once as a withdrawal of sale that changes no state.
    const other = await customer(t);
    await staffRecords(t, other.subjectId, {
      targetKind: "sharing",
      target: "catalogues",
      action: "withdrawn",
    });
    await get(t, other, "/v1/account/me", { "sec-gpc": "1" });
    await get(t, other, "/v1/account/me", { "sec-gpc": "1" });
    expect((await gpcRows(t, other.subjectId)).map((r) => [r.target_kind, r.target, r.action])).toEqual([
      ["permission", "sale", "withdrawn"],
    ]);
    expect((await get(t, other, "/v1/account/me/consents")).json().gpc.honoured).toBe(true);
  });

  it("honours the signal again when sale was permitted after it", async () => {
    const c = await customer(t);
    await get(t, c, "/v1/account/me", { "sec-gpc": "1" });
    await grantSale(t, c.subjectId);
    await get(t, c, "/v1/account/me", { "sec-gpc": "1" });
    const sale = (await gpcRows(t, c.subjectId)).filter((r) => r.target === "sale");
    expect(sale).toHaveLength(1);
    const perms = await t.store.db
      .selectFrom("subject_permissions")
      .select("permission")
      .where("subject_id", "=", c.subjectId)
      .execute();
    expect(perms).toEqual([]);
  });
});

describe("no signal", () => {
  it.each(["0", "", "true", "01", "yes"])("Sec-GPC: %j records nothing", async (value) => {
    const c = await customer(t);
    await grantSale(t, c.subjectId);
    const res = await get(t, c, "/v1/account/me", { "sec-gpc": value });
    expect(res.statusCode).toBe(200);
    expect(await gpcRows(t, c.subjectId)).toEqual([]);
  });

  it("a request without a session records nothing and is refused only for the missing session", async () => {
    const before = await t.store.db
      .selectFrom("consent_events")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("source", "=", "gpc")
      .executeTakeFirstOrThrow();
    const me = await t.app.inject({ method: "GET", url: "/v1/account/me", headers: { "sec-gpc": "1" } });
    expect(me.statusCode).toBe(401);
    expect(me.json()).toMatchObject({ code: "PLEDGE_SESSION_REQUIRED" });
    const known = await t.app.inject({
      method: "GET",
      url: "/.well-known/gpc.json",
      headers: { "sec-gpc": "1" },
    });
    expect(known.statusCode).toBe(200);
    const after = await t.store.db
      .selectFrom("consent_events")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("source", "=", "gpc")
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });
});

describe("the customer sees it", () => {
  it("GET /v1/account/me/consents shows the signal honoured since its first request", async () => {
    const c = await customer(t);
    const before = (await get(t, c, "/v1/account/me/consents")).json();
    expect(before.gpc).toEqual({ honoured: false, at: null });
    const first = await get(t, c, "/v1/account/me/consents", { "sec-gpc": "1" });
    expect(first.statusCode, first.body).toBe(200);
    const seen = first.json();
    expect(seen.gpc.honoured).toBe(true);
    expect(seen.optOuts).toEqual(["catalogues"]);
    const at = seen.gpc.at as string;
    expect(Number.isNaN(Date.parse(at))).toBe(false);
    const later = (await get(t, c, "/v1/account/me/consents", { "sec-gpc": "1" })).json();
    expect(later.gpc).toEqual({ honoured: true, at });
    // Without the header the record still says so: the opt-out stays in force.
    expect((await get(t, c, "/v1/account/me/consents")).json().gpc).toEqual({ honoured: true, at });
  });

  it("no longer shows it honoured once sale is permitted again, until the next signal", async () => {
    const c = await customer(t);
    await get(t, c, "/v1/account/me", { "sec-gpc": "1" });
    await grantSale(t, c.subjectId);
    expect((await get(t, c, "/v1/account/me/consents")).json().gpc.honoured).toBe(false);
    expect((await get(t, c, "/v1/account/me/consents", { "sec-gpc": "1" })).json().gpc.honoured).toBe(true);
  });
});
