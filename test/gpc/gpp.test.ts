import { GppModel, UsNat, UsNatField } from "@iabgpp/cmpapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { customer, get, grantSale } from "./helpers.ts";

/**
 * GET /v1/account/gpp: the person's opt-outs as an IAB GPP string, decoded back here with the
 * IAB's own library (the oracle), before and after a GPC signal.
 */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ company: "partstore" });
});
afterAll(() => t.close());

/** GPP's two-bit values. */
const NA = 0;
const OPTED_OUT = 1;
const NOT_OPTED_OUT = 2;

function decode(gpp: string): (field: UsNatField) => unknown {
  const model = new GppModel(gpp);
  expect(model.getSectionIds()).toEqual([UsNat.ID]);
  return (field) => model.getFieldValue(UsNat.NAME, field);
}

describe("GET /v1/account/gpp", () => {
  it("says not opted out before a signal and opted out of sale and sharing after it", async () => {
    const c = await customer(t);
    await grantSale(t, c.subjectId);
    const before = await get(t, c, "/v1/account/gpp");
    expect(before.statusCode, before.body).toBe(200);
    expect(before.headers["cache-control"]).toBe("no-store");
    const body = before.json() as { gpp: string; sections: string[] };
    expect(body.sections).toEqual(["usnat"]);
    // The header names section 7 (usnat) alone; the library pads it to DBABLA.
    expect(body.gpp).toMatch(/^DBABLA?~[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?$/);
    const was = decode(body.gpp);
    expect(was(UsNatField.SALE_OPT_OUT)).toBe(NOT_OPTED_OUT);
    expect(was(UsNatField.SHARING_OPT_OUT)).toBe(NOT_OPTED_OUT);
    expect(was(UsNatField.TARGETED_ADVERTISING_OPT_OUT)).toBe(NOT_OPTED_OUT);
    expect(was(UsNatField.GPC)).toBe(false);

    const after = await get(t, c, "/v1/account/gpp", { "sec-gpc": "1" });
    expect(after.statusCode, after.body).toBe(200);
    const now = decode((after.json() as { gpp: string }).gpp);
    expect(now(UsNatField.SALE_OPT_OUT)).toBe(OPTED_OUT);
    expect(now(UsNatField.SHARING_OPT_OUT)).toBe(OPTED_OUT);
    expect(now(UsNatField.TARGETED_ADVERTISING_OPT_OUT)).toBe(OPTED_OUT);
    expect(now(UsNatField.GPC)).toBe(true);
    expect(now(UsNatField.GPC_SEGMENT_INCLUDED)).toBe(true);
  });

  it("gives the notices where the pack sells and shares, and no MSPA coverage", async () => {
    const c = await customer(t);
    const field = decode((await get(t, c, "/v1/account/gpp")).json().gpp);
    expect(field(UsNatField.SALE_OPT_OUT_NOTICE)).toBe(1);
    expect(field(UsNatField.SHARING_OPT_OUT_NOTICE)).toBe(1);
    expect(field(UsNatField.SHARING_NOTICE)).toBe(1);
    expect(field(UsNatField.SENSITIVE_DATA_PROCESSING_OPT_OUT_NOTICE)).toBe(NA);
    expect(field(UsNatField.MSPA_COVERED_TRANSACTION)).toBe(2);
    // Partstore sells only with permission: without it on file, the person is not sold.
    expect(field(UsNatField.SALE_OPT_OUT)).toBe(OPTED_OUT);
  });

  it("needs a session", async () => {
    const res = await t.app.inject({ method: "GET", url: "/v1/account/gpp", headers: { "sec-gpc": "1" } });
    expect(res.statusCode).toBe(401);
  });

  it("is a read of the person's consent state, audited as the customer", async () => {
    const c = await customer(t);
    await get(t, c, "/v1/account/gpp");
    const read = await t.store.db
      .selectFrom("audit_log")
      .select(["actor", "payload"])
      .where("subject_id", "=", c.subjectId)
      .where("type", "=", "consent.read")
      .executeTakeFirstOrThrow();
    expect(read.actor).toBe(`customer:${c.subjectId}`);
    expect(read.payload).toMatchObject({ what: "preferences" });
  });
});
