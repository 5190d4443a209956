import type { TestApp } from "../harness/app.ts";
import { as, signedFrom, signupBody, type Signed } from "../customers/helpers.ts";

/** Partstore's purpose for staff acting on a customer's account (a sale permission on file). */
export const ACCOUNT_PURPOSE = "essential.service.order_fulfilment";

/** A signed-in GET, with extra headers (the `Sec-GPC` under test). */
export function get(t: TestApp, c: Signed, url: string, headers: Record<string, string> = {}) {
  return t.app.inject({ method: "GET", url, headers: as(c, headers, false) });
}

/** The person's ledger rows recorded from a GPC signal. */
export async function gpcRows(t: TestApp, subjectId: string) {
  return t.store.db
    .selectFrom("consent_events")
    .select(["target_kind", "target", "action", "actor"])
    .where("subject_id", "=", subjectId)
    .where("source", "=", "gpc")
    .orderBy("target")
    .execute();
}

/** Staff record a choice the person made by phone (a consent-ledger body without purpose). */
export async function staffRecords(
  t: TestApp,
  subjectId: string,
  input: Record<string, string>,
): Promise<void> {
  const key = await t.apiKey("admin");
  const res = await t.app.inject({
    method: "POST",
    url: `/v1/subjects/${subjectId}/consents`,
    headers: { authorization: `Bearer ${key}` },
    payload: { purpose: ACCOUNT_PURPOSE, source: "staff", ...input },
  });
  if (res.statusCode >= 300) throw new Error(`staff consent: ${res.statusCode} ${res.body}`);
}

/** The person's permission to sell, on file. */
export const grantSale = (t: TestApp, subjectId: string) =>
  staffRecords(t, subjectId, { targetKind: "permission", target: "sale", action: "granted" });

let address = 0;

/** A new signed-in customer, each from its own address so the sign-up rate limit stays out of the way. */
export async function customer(t: TestApp): Promise<Signed> {
  const res = await t.app.inject({
    method: "POST",
    url: "/v1/account/signup",
    payload: signupBody(),
    remoteAddress: `198.51.100.${++address % 250}`,
  });
  if (res.statusCode !== 201) throw new Error(`sign-up answered ${res.statusCode}: ${res.body}`);
  return signedFrom(res);
}
