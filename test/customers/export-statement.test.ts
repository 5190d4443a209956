import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { KyselyPlugin } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuditWriter } from "../../src/audit/writer.ts";
import { loadConfig } from "../../src/config.ts";
import type { Vault } from "../../src/crypto/vault.types.ts";
import { createApp } from "../../src/http/app.ts";
import { ephemeralVault } from "../../src/modules/subjects/ephemeral-vault.ts";
import { createSubjectRegistry, type SubjectRegistry } from "../../src/modules/subjects/registry.ts";
import { readSections } from "../../src/modules/subjects/sections.ts";
import { createKey, createStaff } from "../../src/modules/staff/staff.service.ts";
import { inForce, loadPolicyHistory } from "../../src/policy/history.ts";
import type { Store } from "../../src/store/store.ts";
import { POLICIES_DIR } from "../harness/app.ts";
import { freshStore, testOnCitus } from "../harness/store.ts";
import { fieldView } from "../../src/use/view.ts";
import { as, signedUp } from "./helpers.ts";

/**
 * The access export reads every section that offers its rows as SQL in one statement. Its answer
 * must be exactly what each section's own `export` gives, for a customer whose record has rows in
 * every section: checked here on a full record, with the statements the export runs counted.
 */
interface Fixture {
  app: FastifyInstance;
  store: Store;
  vault: Vault;
  registry: SubjectRegistry;
  headers: Record<string, string>;
  /** The signed-in customer's own request headers (session cookie and CSRF token). */
  customer: Record<string, string>;
  id: string;
  purpose: string;
  close(): Promise<void>;
}

type Ok = (
  method: "POST" | "PATCH" | "PUT",
  url: string,
  payload: object,
  extra?: object,
) => Promise<Record<string, string>>;

let statements = 0;
/** The session lookup of a signed-in customer's request (src/http/session.ts). */
const SESSION_STATEMENTS = 1;
const counting: KyselyPlugin = {
  transformQuery: (args) => {
    // The app's poll of published policy versions and its sweep and build of kept audiences
    // (each on its own timer) are not the export's: one landing inside the measured request
    // would be counted with it.
    const text = JSON.stringify(args.node);
    if (!/policy_versions|audience_stale|audience_members|kept_audiences/.test(text)) statements += 1;
    return args.node;
  },
  transformResult: async (args) => args.result,
};

/** An app for `company` with its own vault and registry, and a signed-up customer `fill` adds rows to. */
async function fullRecord(
  company: string,
  purpose: string,
  consents: object[],
  fill: (ok: Ok, subject: string) => Promise<void>,
): Promise<Fixture> {
  // A clock that moves on by a millisecond per reading: rows get distinct times, as in life.
  let now = Date.parse("2024-05-01T10:00:00.000Z");
  const clock = () => new Date((now += 1));
  const policies = await loadPolicyHistory(path.join(POLICIES_DIR, company));
  const plain = await freshStore();
  const store: Store = { ...plain, db: plain.db.withPlugin(counting) };
  const vault = ephemeralVault();
  const registry = createSubjectRegistry();
  const config = loadConfig({
    LOG_LEVEL: "silent",
    PLEDGE_POLICY: company,
    PLEDGE_POLICIES_DIR: POLICIES_DIR,
  });
  const audit = createAuditWriter(store.db);
  const app = await createApp({ config, store, policies, audit, clock, vault, sections: registry });
  await app.ready();
  const ctx = { actor: "system", now: clock() };
  const member = await createStaff(
    store.db,
    inForce(policies, ctx.now.toISOString()),
    { displayName: "test admin", role: "admin", attested: true },
    ctx,
  );
  const headers = { authorization: `Bearer ${(await createKey(store.db, member.id, ctx)).key}` };
  const signed = await signedUp(app, { consents });
  const id = signed.subjectId;
  const ok: Ok = async (method, url, payload, extra = {}) => {
    const res = await app.inject({ method, url, headers: { ...headers, ...extra }, payload });
    expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300);
    return res.json() as Record<string, string>;
  };
  await fill(ok, `/v1/subjects/${id}`);
  return {
    app,
    store,
    vault,
    registry,
    headers,
    customer: as(signed),
    id,
    purpose,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

/** The person's own export through the API, the per-section exports and `readSections`, all JSON. */
async function threeWays(f: Fixture) {
  const res = await f.app.inject({ method: "GET", url: "/v1/account/me/export", headers: f.customer });
  expect(res.statusCode, res.body).toBe(200);
  const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const own = await f.store.db.transaction().execute(async (trx) => {
    const view = await wholeView(f, trx);
    const out: Record<string, unknown> = {};
    for (const s of f.registry.sections()) out[s.name] = await s.export(trx, f.id, view);
    return out;
  });
  const oneStatement = await f.store.db
    .transaction()
    .execute(async (trx) => readSections(trx, f.registry.sections(), f.id, await wholeView(f, trx)));
  return {
    answered: json((res.json() as { sections: unknown }).sections),
    own: json(own),
    oneStatement: json(oneStatement),
  };
}

/** The view of the person's own export: every field of every section. */
async function wholeView(f: Fixture, trx: Parameters<typeof readSections>[0]) {
  const cipher = await f.vault.cipherFor(trx, f.id);
  return cipher === null ? null : fieldView(cipher, "whole");
}

const BILLING = "essential.service.provision_billing";
const base = { purpose: BILLING, collectionPoint: "web.billing-manager" };
let zm: Fixture;
let zones: Fixture;

beforeAll(async () => {
  zm = await fullRecord(
    "zmailcloud",
    BILLING,
    [
      { targetKind: "topic", target: "newsletter", action: "granted" },
      { targetKind: "topic", target: "blog", action: "granted" },
    ],
    async (ok, subject) => {
      await ok("POST", `${subject}/consents`, {
        purpose: BILLING,
        targetKind: "topic",
        target: "blog",
        action: "withdrawn",
        source: "staff",
      });
      await ok("POST", `${subject}/addresses`, {
        ...base,
        kind: "billing",
        address: {
          line1: "1 Main St",
          city: "Springfield",
          region: "IL",
          postalCode: "62701",
          country: "US",
        },
      });
      await ok("POST", `${subject}/contacts`, {
        ...base,
        contact: { name: "Grace Hopper", email: "grace@example.com", phone: "+1 415 555 0199" },
      });
      const service = await ok("POST", `${subject}/services`, { plan: "mailbox-5gb", ...base });
      await ok(
        "PATCH",
        `${subject}/services/${service.serviceId}`,
        { action: "change", plan: "mailbox-50gb", ...base },
        { "if-match": '"1"' },
      );
      const pm = await ok("POST", `${subject}/payment-methods`, {
        token: "tok_1N3xYz2eZvKYlo2C",
        brand: "visa",
        last4: "4242",
        expiry: "09/2029",
        orderId: "ORD-1",
        reuseAllowed: false,
        ...base,
        collectionPoint: "web.checkout",
      });
      await ok("POST", `${subject}/payment-methods/${pm.paymentMethodId}/charges`, {
        orderId: "ORD-1",
        purpose: BILLING,
      });
      for (const content of ["first message", "second message"]) {
        await ok("POST", `${subject}/communications`, {
          direction: "inbound",
          channel: "email",
          content,
          ...base,
          collectionPoint: "smtp.inbound",
        });
      }
    },
  );
  const FULFIL = "essential.service.order_fulfilment";
  const ACCOUNT = "essential.service.account";
  zones = await fullRecord("zones", ACCOUNT, [], async (ok, subject) => {
    for (const orderId of ["Z-1", "Z-2"]) {
      await ok("POST", `${subject}/orders`, {
        orderId,
        items: [{ sku: "SRV-1", quantity: 1, unitAmount: "999.00" }],
        total: { amount: "999.00", currency: "USD" },
        purpose: FULFIL,
        collectionPoint: "web.checkout",
      });
    }
    await ok("POST", `${subject}/surveys/s1/answers`, {
      answers: [
        { questionId: "q1", answer: "often" },
        { questionId: "q2", answer: "never" },
      ],
      purpose: ACCOUNT,
      collectionPoint: "web.survey",
    });
    for (const details of ["a quote for 3 laptops", "a quote for 5 laptops"]) {
      await ok("POST", `${subject}/quote-requests`, {
        details,
        purpose: FULFIL,
        collectionPoint: "web.quote",
      });
    }
    // One share with a subcontractor (Zones 2019), so the disclosures section has a row to read.
    await ok("PUT", "/v1/recipients/subcontractors", {
      legalName: "Parcel Co.",
      address: "1 Market St, San Francisco, CA 94105, US",
      contractRef: "C-1",
      contractSignedOn: "2000-01-01",
    });
    await ok("POST", `${subject}/disclosures`, {
      recipient: "subcontractors",
      purpose: FULFIL,
      fields: ["first_name"],
    });
  });
});
afterAll(async () => {
  await zm?.close();
  await zones?.close();
});

describe("access export in one statement", () => {
  it("answers exactly what every section's own export gives (services, payments, messages, consent)", async () => {
    const { answered, own, oneStatement } = await threeWays(zm);
    expect(oneStatement).toEqual(own);
    expect(answered).toEqual(own);
    expect(Object.keys(answered)).toEqual(zm.registry.sections().map((s) => s.name));
    // The record has rows in these sections, so the comparison covers them.
    expect(Object.keys(answered.profile.fields).sort()).toEqual(["email", "first_name", "last_name"]);
    expect(answered.identities.length).toBeGreaterThan(1);
    expect(answered.addresses).toHaveLength(1);
    expect(answered.contacts[0]).toMatchObject({ name: "Grace Hopper", email: "grace@example.com" });
    expect(answered.services[0].history).toHaveLength(2);
    expect(answered.payment_methods.methods[0]).toMatchObject({ token: "tok_1N3xYz2eZvKYlo2C" });
    expect(answered.payment_methods.charges).toHaveLength(1);
    expect(answered.communications.map((m: { content: string }) => m.content)).toEqual([
      "first message",
      "second message",
    ]);
    expect(answered.consent.events).toHaveLength(3);
    expect(answered.consent.preferences.consents).toHaveLength(2);
    expect(answered.account).not.toBeNull();
  });

  it("answers exactly what every section's own export gives (orders, surveys, quotes)", async () => {
    const { answered, own, oneStatement } = await threeWays(zones);
    expect(oneStatement).toEqual(own);
    expect(answered).toEqual(own);
    expect(answered.orders.map((o: { orderId: string }) => o.orderId)).toEqual(["Z-1", "Z-2"]);
    expect(answered.orders[0]).toMatchObject({ items: [{ sku: "SRV-1" }], total: { amount: "999.00" } });
    expect(answered.survey_answers.map((a: { answer: string }) => a.answer)).toEqual(["often", "never"]);
    expect(answered.quote_requests).toHaveLength(2);
    expect(answered.disclosures).toHaveLength(1);
    expect(answered.disclosures[0]).toMatchObject({
      recipient: "subcontractors",
      recipientName: "Parcel Co.",
    });
  });

  it("an access export through the API is three statements after the session's: record and facts, key and sections, the audit rows with their head", async () => {
    const get = () => zm.app.inject({ method: "GET", url: "/v1/account/me/export", headers: zm.customer });
    expect((await get()).statusCode).toBe(200);
    statements = 0;
    expect((await get()).statusCode).toBe(200);
    // The session is looked up (one statement), then the export's three: on one node the audit
    // head is locked, the rows chained after it and the head moved in one statement. On Citus the
    // head is read in Node, then its update and the rows' insert go to the chain's worker alone.
    expect(statements - SESSION_STATEMENTS).toBe(testOnCitus ? 5 : 3);
  });

  it("reads every section that offers SQL in one statement", async () => {
    const sections = zm.registry.sections();
    const perSection = sections.filter((s) => s.query === undefined).length;
    statements = 0;
    await zm.store.db.transaction().execute(async (trx) => readSections(trx, sections, zm.id, null));
    // One statement for the batched sections; a section without SQL may take a few of its own.
    expect(statements).toBeLessThanOrEqual(1 + 3 * perSection);
    expect(sections.filter((s) => s.query !== undefined).length).toBeGreaterThanOrEqual(12);
  });
});
