import { expect } from "vitest";
import type { SubjectsFixture } from "../subjects/helpers.ts";
import { as, signedUp } from "./helpers.ts";

/**
 * ALL-04 through the API, for any pack: a person's data is exported whole (by the person, signed
 * in: the access export is theirs, not a staff purpose's), corrected, and erased,
 * with the records the law makes the company keep kept and the erasure saying which and why; the
 * export also shows who the data was given to (the disclosure ledger).
 */
export interface KeptRecord {
  /** The export section holding it, e.g. `orders` or `payment_methods`. */
  readonly section: string;
  /** The table whose rows stay after erasure. */
  readonly table: "orders" | "payment_charges";
  /** Adds the record to the subject through the API. */
  add(f: SubjectsFixture, subjectId: string): Promise<void>;
}

/** An order (kept for tax and accounting law). */
export const anOrder = (purpose: string): KeptRecord => ({
  section: "orders",
  table: "orders",
  async add(f, id) {
    const res = await f.req("POST", `/v1/subjects/${id}/orders`, {
      body: {
        orderId: "ALL04-1",
        items: [{ sku: "SKU-1", quantity: 2, unitAmount: "10.00" }],
        total: { amount: "20.00", currency: "USD" },
        purpose,
        collectionPoint: "web.checkout",
      },
    });
    expect(res.statusCode, res.body).toBe(201);
  },
});

/** A payment method and a charge made with it (the charge is kept as a billing record). */
export const aCharge = (purpose: string): KeptRecord => ({
  section: "payment_methods",
  table: "payment_charges",
  async add(f, id) {
    const pm = await f.req("POST", `/v1/subjects/${id}/payment-methods`, {
      body: {
        token: "tok_all04_0001",
        brand: "visa",
        last4: "4242",
        expiry: "09/2030",
        orderId: "ALL04-1",
        reuseAllowed: false,
        purpose,
        collectionPoint: "web.checkout",
      },
    });
    expect(pm.statusCode, pm.body).toBe(201);
    const { paymentMethodId } = pm.json() as { paymentMethodId: string };
    const charge = await f.req("POST", `/v1/subjects/${id}/payment-methods/${paymentMethodId}/charges`, {
      body: { orderId: "ALL04-1", purpose },
    });
    expect(charge.statusCode, charge.body).toBe(201);
  },
});

/** A share of some of the person's fields with a recipient under contract (the ledger records it). */
export interface Share {
  readonly recipient: string;
  readonly purpose: string;
  readonly fields: readonly string[];
}

export async function exportCorrectErase(
  f: SubjectsFixture,
  opts: { purpose: string; email: string; kept: KeptRecord; share?: Share },
): Promise<void> {
  const { purpose, email, kept, share } = opts;
  const person = await signedUp(f.t.app, { email, firstName: "Ann", lastName: "Example" });
  const id = person.subjectId;
  await kept.add(f, id);
  if (share !== undefined) {
    const contract = await f.t.app.inject({
      method: "PUT",
      url: `/v1/recipients/${share.recipient}`,
      headers: { authorization: `Bearer ${f.admin}` },
      payload: {
        legalName: `${share.recipient} Inc.`,
        address: "1 Market St, San Francisco, CA 94105, US",
        contractRef: `C-${share.recipient}`,
        contractSignedOn: "2000-01-01",
      },
    });
    expect(contract.statusCode, contract.body).toBe(200);
    const shared = await f.req("POST", `/v1/subjects/${id}/disclosures`, { body: share });
    expect(shared.statusCode, shared.body).toBe(201);
  }
  const exportOf = () => f.t.app.inject({ method: "GET", url: "/v1/account/me/export", headers: as(person) });

  // Export: everything held, decrypted, with the kept record and who the data was given to.
  const first = await exportOf();
  expect(first.statusCode, first.body).toBe(200);
  const doc = first.json() as { id: string; sections: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  expect(doc.id).toBe(id);
  expect(doc.sections.profile.fields.email.value).toBe(email);
  expect(doc.sections.profile.fields.last_name.value).toBe("Example");
  expect(doc.sections.identities.map((i: { value: string }) => i.value)).toContain(email);
  expect(JSON.stringify(doc.sections[kept.section])).toContain("ALL04-1");
  expect(doc.sections).toHaveProperty("disclosures");
  expect(Array.isArray(doc.sections.disclosures)).toBe(true);
  if (share !== undefined) {
    expect(doc.sections.disclosures).toHaveLength(1);
    expect(doc.sections.disclosures[0]).toMatchObject({
      recipient: share.recipient,
      purpose: share.purpose,
      fields: share.fields,
    });
  }

  // Correct: the change is made (If-Match guards it) and the export shows the new value.
  const corrected = await f.req("PATCH", `/v1/subjects/${id}`, {
    body: { purpose, collectionPoint: "request.correction", fields: { last_name: "Corrected" } },
    headers: { "if-match": "*" },
  });
  expect(corrected.statusCode, corrected.body).toBe(200);
  const after = (await exportOf()).json() as typeof doc;
  expect(after.sections.profile.fields.last_name).toMatchObject({
    value: "Corrected",
    collectionPoint: "request.correction",
  });

  // Erase: the key is destroyed, the record is gone, the law's records stay and the answer says why.
  const erased = await f.req("DELETE", `/v1/subjects/${id}`);
  expect(erased.statusCode, erased.body).toBe(200);
  const report = erased.json() as {
    keyDestroyed: boolean;
    sections: { name: string; deleted: number; kept: number; keptReason: string | null }[];
    kept: string[];
  };
  expect(report.keyDestroyed).toBe(true);
  const section = report.sections.find((s) => s.name === kept.section);
  expect(section?.kept).toBeGreaterThanOrEqual(1);
  expect(section?.keptReason).toMatch(/law/);
  expect(report.kept.join("\n")).toMatch(/law/);
  for (const s of report.sections) if (s.kept > 0) expect(s.keptReason, s.name).toBeTruthy();
  const profile = report.sections.find((s) => s.name === "profile");
  expect(profile?.deleted).toBeGreaterThanOrEqual(3);

  // Erasure ends the person's sessions with the record; staff find nobody either.
  expect((await exportOf()).statusCode).toBe(401);
  expect((await f.req("GET", `/v1/subjects/${id}/export?purpose=${purpose}`)).statusCode).toBe(404);
  const db = f.t.store.db;
  const fields = await db.selectFrom("subject_fields").select("field").where("subject_id", "=", id).execute();
  expect(fields).toEqual([]);
  const keys = await db
    .selectFrom("subject_keys")
    .select("subject_id")
    .where("subject_id", "=", id)
    .execute();
  expect(keys).toEqual([]);
  const stays = await db.selectFrom(kept.table).select("subject_id").where("subject_id", "=", id).execute();
  expect(stays.length).toBeGreaterThanOrEqual(1);
}
