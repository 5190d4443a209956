import type { LightMyRequestResponse } from "fastify";
import { createKey, revokeKey } from "../../../src/modules/staff/staff.service.ts";
import type { TestApp } from "../../harness/app.ts";
import { as, signedUp, type Signed } from "../../customers/helpers.ts";
import { MARKERS, type Ids } from "./samples.ts";

/**
 * Customer A's record, filled through the API with the markers in every part the pack holds
 * (profile, address, contact, order, service, payment method, message, survey answer, quote,
 * complaint), and the ids the samples need. A part the pack does not hold is skipped: each write
 * is tried under the pack's purposes until one allows it.
 */
export interface Seeded {
  readonly ids: Ids;
  readonly admin: string;
  readonly customer: Record<string, string>;
  readonly revoked: string;
}

export async function seed(t: TestApp): Promise<Seeded> {
  const admin = await t.apiKey("admin");
  const purposes = t.app.routeUses.length > 0 ? packPurposes(t) : [];
  const req = (method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: method as "POST",
      url,
      headers: { authorization: `Bearer ${admin}`, ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  /** The first answer under some purpose that is a success, or null when none allows the write. */
  const anyPurpose = async (
    method: string,
    url: string,
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse | null> => {
    for (const purpose of purposes) {
      const res = await req(method, url, { ...body, purpose }, headers);
      if (res.statusCode < 300) return res;
    }
    return null;
  };

  const a = await signedUp(t.app, {
    email: MARKERS.email,
    firstName: MARKERS.first_name,
    lastName: MARKERS.last_name,
  });
  const subject = a.subjectId;
  const s = `/v1/subjects/${subject}`;
  await anyPurpose(
    "PATCH",
    s,
    { collectionPoint: "seed", fields: { phone: MARKERS.phone } },
    { "if-match": "*" },
  );
  await anyPurpose(
    "PATCH",
    s,
    { collectionPoint: "seed", fields: { zip: MARKERS.zip } },
    { "if-match": "*" },
  );
  await anyPurpose(
    "PATCH",
    s,
    { collectionPoint: "seed", fields: { interests: MARKERS.interests } },
    { "if-match": "*" },
  );
  const address = await anyPurpose("POST", `${s}/addresses`, {
    collectionPoint: "seed",
    kind: "postal",
    address: { line1: MARKERS.line1, city: "Springfield", region: "CA", postalCode: "94107", country: "US" },
  });
  const contact = await anyPurpose("POST", `${s}/contacts`, {
    collectionPoint: "seed",
    contact: { name: MARKERS.contact },
  });
  const orderId = "ORD-MATRIX-1";
  await anyPurpose("POST", `${s}/orders`, {
    orderId,
    items: [{ sku: MARKERS.order_sku, quantity: 1, unitAmount: "5.00" }],
    total: { amount: "5.00", currency: "USD" },
    collectionPoint: "seed",
  });
  const service = await anyPurpose("POST", `${s}/services`, { plan: MARKERS.plan, collectionPoint: "seed" });
  const method = await anyPurpose("POST", `${s}/payment-methods`, {
    token: MARKERS.card_token,
    brand: "visa",
    last4: "4242",
    expiry: "09/2031",
    orderId,
    reuseAllowed: false,
    collectionPoint: "seed",
  });
  const message = await anyPurpose("POST", `${s}/communications`, {
    direction: "inbound",
    channel: "email",
    content: MARKERS.message,
    collectionPoint: "seed",
  });
  await anyPurpose("POST", `${s}/surveys/s1/answers`, {
    answers: [{ questionId: "q1", answer: MARKERS.answer }],
    collectionPoint: "seed",
  });
  await anyPurpose("POST", `${s}/quote-requests`, { details: MARKERS.quote, collectionPoint: "seed" });
  const complaint = await req("POST", "/v1/privacy-complaints", {
    from: MARKERS.email,
    subject: "Privacy Policy",
    text: MARKERS.complaint,
  });

  // B, whose address and contact A's session must not reach; and C, to be erased.
  const b: Signed = await signedUp(t.app);
  const bAddress = await t.app.inject({
    method: "POST",
    url: "/v1/account/me/addresses",
    headers: as(b),
    payload: {
      kind: "postal",
      address: { line1: "9 B Street", city: "Bville", postalCode: "10003", country: "US" },
    },
  });
  const bContact = await t.app.inject({
    method: "POST",
    url: "/v1/account/me/contacts",
    headers: as(b),
    payload: { name: "B Contact" },
  });
  const doomed = (await signedUp(t.app)).subjectId;

  const pack = t.app.routeUses.length > 0 ? packOf(t) : null;
  const recipients = pack?.recipients ?? [];
  const recipient = (recipients.find((r) => r.kind !== "authority") ?? recipients[0])?.id ?? "nobody";
  for (const r of recipients) {
    await req("PUT", `/v1/recipients/${r.id}`, {
      legalName: `${r.id} Ltd`,
      address: "1 Road, Town",
      contractRef: "C-1",
      contractSignedOn: "2000-01-01",
    });
  }
  const processor = recipients.find((r) => r.kind === "processor")?.id ?? null;
  const campaign = await anyPurpose("POST", "/v1/campaigns", {
    name: "seed",
    messageClass: "marketing",
    channel: "email",
    subjectLine: "Seed",
    text: "Seed",
  });
  const removal = await req("POST", "/v1/removal-requests", {
    email: "nobody-known@example.com",
    jurisdiction: "EU",
  });
  const rightsRequest = await req("POST", "/v1/requests", {
    kind: "access",
    claimant: { email: MARKERS.email },
  });
  const staff = await t.staff("admin");
  const now = { actor: "system", now: new Date() };
  const spare = await createKey(t.store.db, staff.staffId, now);
  const gone = await t.staff("admin");
  await revokeKey(t.store.db, (await keyIdOf(t, gone.staffId))!, now);

  const id = (res: LightMyRequestResponse | null, key: string): string | null =>
    res === null || res.statusCode >= 300 ? null : ((res.json() as Record<string, string>)[key] ?? null);
  return {
    admin,
    customer: as(a),
    revoked: gone.key,
    ids: {
      subject,
      other: b.subjectId,
      otherAddress: id(bAddress, "addressId"),
      otherContact: id(bContact, "contactId"),
      doomed,
      address: id(address, "addressId"),
      contact: id(contact, "contactId"),
      service: id(service, "serviceId"),
      paymentMethod: id(method, "paymentMethodId"),
      message: id(message, "messageId"),
      orderId,
      campaign: id(campaign, "id") ?? "00000000-0000-4000-8000-000000000001",
      complaint: id(complaint, "id") ?? "00000000-0000-4000-8000-000000000002",
      removal: id(removal, "id") ?? "00000000-0000-4000-8000-000000000003",
      request:
        rightsRequest === null || rightsRequest.statusCode >= 300
          ? "00000000-0000-4000-8000-000000000004"
          : (rightsRequest.json() as { request: { id: string } }).request.id,
      staff: staff.staffId,
      spareKey: spare.record.id,
      recipient,
      processor,
      purpose: purposes[0] ?? "",
    },
  };
}

async function keyIdOf(t: TestApp, staffId: string): Promise<string | undefined> {
  const row = await t.store.db
    .selectFrom("api_keys")
    .select("id")
    .where("staff_id", "=", staffId)
    .executeTakeFirst();
  return row?.id;
}

function packOf(t: TestApp) {
  return t.pack();
}

function packPurposes(t: TestApp): string[] {
  return t.pack().purposes.map((p) => p.id);
}
