import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { rowCounts } from "../subjects/helpers.ts";
import { signUp } from "./helpers.ts";

/**
 * Sign-up is one transaction: the record, its key, the account, the session, the consents and
 * their audit events commit together or not at all. Row counts of every table are compared before
 * and after a sign-up that fails at each step.
 */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ company: "zones" });
});
afterAll(() => t.close());

const EMAIL_CONSENT = { targetKind: "purpose", target: "marketing.communications.email", action: "granted" };

/** Every table's count but the audit log's (refusals are audited; nothing else may stay). */
async function recordCounts(): Promise<Record<string, number>> {
  const all = await rowCounts(t);
  return Object.fromEntries(Object.entries(all).filter(([name]) => !name.startsWith("audit_")));
}

describe("sign-up in one transaction", () => {
  it("a failure in the last step (the consent ledger) leaves nothing of the sign-up, audit included", async () => {
    // The store refuses any new consent event (a check no row passes, on new rows only: a
    // constraint rather than a trigger, so it holds on Citus's shards too): the record, key,
    // account and session are written first in the same transaction, and must all go when the
    // consent insert fails.
    await sql`alter table consent_events add constraint pledge_test_refuse_consent
      check (false) not valid`.execute(t.store.db);
    const before = await rowCounts(t);
    try {
      const { res, body } = await signUp(t.app, { consents: [EMAIL_CONSENT] });
      expect(res.statusCode).toBe(500);
      expect(await rowCounts(t)).toEqual(before);
      // The email is free: nothing was kept under it.
      await sql`alter table consent_events drop constraint pledge_test_refuse_consent`.execute(t.store.db);
      const again = await signUp(t.app, { email: body.email, consents: [EMAIL_CONSENT] });
      expect(again.res.statusCode, again.res.body).toBe(201);
    } finally {
      await sql`alter table consent_events drop constraint if exists pledge_test_refuse_consent`.execute(
        t.store.db,
      );
    }
  });

  it("a successful sign-up writes the record, account, session and consents together", async () => {
    const before = await rowCounts(t);
    const { res } = await signUp(t.app, { consents: [EMAIL_CONSENT] });
    expect(res.statusCode, res.body).toBe(201);
    const after = await rowCounts(t);
    expect(after.subjects).toBe(before.subjects! + 1);
    expect(after.subject_keys).toBe(before.subject_keys! + 1);
    expect(after.customer_accounts).toBe(before.customer_accounts! + 1);
    expect(after.customer_sessions).toBe(before.customer_sessions! + 1);
    expect(after.consent_events).toBe(before.consent_events! + 1);
    expect(after.subject_consents).toBe(before.subject_consents! + 1);
  });

  it("a duplicate email with consents keeps nothing but the audited decision", async () => {
    const { body } = await signUp(t.app);
    const before = await recordCounts();
    const { res } = await signUp(t.app, { email: body.email, consents: [EMAIL_CONSENT] });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: "PLEDGE_DUPLICATE_IDENTITY" });
    expect(await recordCounts()).toEqual(before);
  });

  it("a consent for an unknown scope keeps nothing at all", async () => {
    const before = await rowCounts(t);
    const { res } = await signUp(t.app, {
      consents: [
        EMAIL_CONSENT,
        { targetKind: "purpose", target: "marketing.no.such.scope", action: "granted" },
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(await rowCounts(t)).toEqual(before);
  });

  it("a child refused by the gate keeps nothing but the audited refusal", async () => {
    const before = await recordCounts();
    const { res } = await signUp(t.app, { birthDate: "2015-01-01", consents: [EMAIL_CONSENT] });
    expect(res.statusCode).toBe(403);
    expect(await recordCounts()).toEqual(before);
  });
});
