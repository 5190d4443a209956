import type { Transaction } from "kysely";
import { normaliseEmail } from "../../crypto/normalise.ts";
import { normalisePostal, normaliseZip, parseCanonical } from "../../crypto/postal.ts";
import type { Vault } from "../../crypto/vault.types.ts";
import { PledgeError } from "../../errors.ts";
import { specificity } from "../../policy/jurisdiction.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { ADMIN_ROLE, type Acting } from "../../use/acting.ts";
import { useIn, type UseDeps, type UseScope } from "../../use/kernel.ts";
import { ok } from "../../use/refusal.ts";
import type { Claimant } from "./requests.ts";

/**
 * Finding the person a request is about from what the requester gives (staff intake, authorised
 * agents, removal from lists: Z16-14, Z19-06), and the queue their jurisdiction routes to. The
 * values given are reduced at once to blind indexes (a `MatchDigest`); matching works on the
 * digest only, so nothing personal is stored, logged or audited by it.
 */
export interface MatchDeps extends UseDeps {
  readonly vault: Pick<Vault, "blindIndex" | "cipherFor">;
}

export interface MatchDigest {
  readonly fields: string[];
  readonly email: string | null;
  readonly postal: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly zip: string | null;
}

/** The queue every request starts in unless the pack routes its jurisdiction elsewhere. */
export const CUSTOMER_SERVICE_QUEUE = "customer-service";

/**
 * The queue a jurisdiction routes to under the pack: the entry that names it most closely (a
 * subdivision before its country, a country before a group such as EU); customer service when
 * no entry covers it.
 */
export function queueOf(pack: PolicyPack, jurisdiction: string): string {
  let best: { queue: string; score: number } | null = null;
  for (const r of pack.requests?.routing ?? []) {
    const score = specificity(jurisdiction, r.jurisdiction);
    if (score > (best?.score ?? 0)) best = { queue: r.queue, score };
  }
  return best?.queue ?? CUSTOMER_SERVICE_QUEUE;
}

/**
 * Whether a staff role works a queue: a queue named after a role of the pack (`infosec`, the
 * `customer-service` queue for `customer_service`) is that team's, and admin's; a queue named
 * after no role is any staff member's. PLEDGE_FORBIDDEN_ROLE otherwise.
 */
export function mayHandleQueue(pack: PolicyPack, role: string, queue: string): void {
  if (role === ADMIN_ROLE || role.replace(/_/g, "-") === queue) return;
  const owned = pack.staff.roles.some((r) => r.id.replace(/_/g, "-") === queue);
  if (owned) {
    throw new PledgeError("PLEDGE_FORBIDDEN_ROLE", `the ${queue} queue is handled by its own team or admin`);
  }
}

/**
 * Checks the fields given against the pack's `removal_match` sets (PLEDGE_VALIDATION_FAILED naming
 * the sets when none is satisfied) and reduces the values to blind indexes.
 */
export function digestOf(vault: Pick<Vault, "blindIndex">, pack: PolicyPack, input: Claimant): MatchDigest {
  const given = new Set<string>();
  if (present(input.firstName)) given.add("first_name");
  if (present(input.lastName)) given.add("last_name");
  if (present(input.email)) given.add("email");
  if (input.postalAddress !== undefined) given.add("postal_address");
  if (present(input.zip)) given.add("zip");
  const sets = pack.requests?.removal_match ?? [];
  const fits = sets.find((set) => set.every((f) => given.has(f)));
  if (fits === undefined) {
    const accepted = sets.map((s) => `[${s.join(", ")}]`).join(" or ");
    throw new PledgeError(
      "PLEDGE_VALIDATION_FAILED",
      sets.length === 0
        ? "this policy names no fields that identify a person on a request (requests.removal_match)"
        : `a request identifies the person with one of these sets of fields: ${accepted}`,
      pack.requests?.clauses ?? [],
    );
  }
  let email: string | null = null;
  if (present(input.email)) {
    const n = normaliseEmail(input.email);
    if (!n.ok) throw new PledgeError(n.code, n.detail);
    email = vault.blindIndex("email", n.value);
  }
  let postal: string | null = null;
  if (input.postalAddress !== undefined) {
    const n = normalisePostal(input.postalAddress);
    if (!n.ok) throw new PledgeError(n.code, n.detail);
    postal = vault.blindIndex("postal", n.value.canonical);
  }
  let zip: string | null = null;
  if (present(input.zip)) {
    const n = normaliseZip(input.zip, input.postalAddress?.country ?? "US");
    if (!n.ok) throw new PledgeError(n.code, n.detail);
    zip = zipIndex(vault, n.value);
  }
  return {
    fields: [...given].sort(),
    email,
    postal,
    firstName: present(input.firstName) ? nameIndex(vault, "first_name", input.firstName) : null,
    lastName: present(input.lastName) ? nameIndex(vault, "last_name", input.lastName) : null,
    zip,
  };
}

export interface Matched {
  readonly subjectId: string;
  readonly jurisdiction: string | null;
}

/**
 * Live subjects whose email or postal identity has the digest's index, and whose first name, last
 * name and ZIP (a `zip` field or the postal code of one of their addresses) agree with each one
 * the request gave. Confirming opens those fields of each candidate: a `read` use of their record
 * by the staff member handling the request, for the pack's self-service purpose (the person's own
 * record acted on at their request), decided and audited in the request's transaction. A subject
 * without a value the request gave, or whose record the gate does not open, is not matched.
 */
export async function matchSubjects(
  trx: Transaction<Database>,
  deps: MatchDeps,
  acting: Acting,
  digest: MatchDigest,
): Promise<Matched[]> {
  const { email, postal } = digest;
  if (email === null && postal === null) return [];
  const candidates = await trx
    .selectFrom("subject_identities as i")
    .innerJoin("subjects as s", "s.subject_id", "i.subject_id")
    .select(["s.subject_id", "s.jurisdiction"])
    .distinct()
    .where("s.erased_at", "is", null)
    .where((eb) =>
      eb.or([
        ...(email === null ? [] : [eb.and([eb("i.kind", "=", "email"), eb("i.blind_index", "=", email)])]),
        ...(postal === null ? [] : [eb.and([eb("i.kind", "=", "postal"), eb("i.blind_index", "=", postal)])]),
      ]),
    )
    .orderBy("s.subject_id")
    .execute();
  const out: Matched[] = [];
  const confirming = digest.firstName !== null || digest.lastName !== null || digest.zip !== null;
  const pack = deps.policies.at(deps.clock().toISOString()).pack;
  const purpose = pack.requests?.self_service?.purpose;
  for (const c of candidates) {
    if (!confirming) {
      out.push({ subjectId: c.subject_id, jurisdiction: c.jurisdiction });
      continue;
    }
    if (purpose === undefined) continue;
    const ask = {
      action: "read",
      purpose,
      fields: MATCH_FIELDS.filter((f) => pack.categories.some((k) => k.fields.includes(f))),
      projection: true,
    } as const;
    const confirmed = await useIn(trx, deps, acting, { subject: c.subject_id }, ask, async (scope) =>
      ok(await confirms(scope, deps.vault, digest)),
    );
    if (confirmed.ok && confirmed.value) out.push({ subjectId: c.subject_id, jurisdiction: c.jurisdiction });
  }
  return out;
}

/** The record fields a request's identity is confirmed on. */
const MATCH_FIELDS = [
  "first_name",
  "last_name",
  "zip",
  "postal_address",
  "billing_address",
  "shipping_address",
];

async function confirms(
  scope: UseScope,
  vault: Pick<Vault, "blindIndex">,
  digest: MatchDigest,
): Promise<boolean> {
  const { trx } = scope;
  const subjectId = scope.subject!.subjectId;
  const view = await scope.view();
  const fields = await trx
    .selectFrom("subject_fields")
    .select(["field", "value_enc"])
    .where("subject_id", "=", subjectId)
    .where("field", "in", ["first_name", "last_name", "zip"])
    .execute();
  const value = (name: string): string | null => {
    const row = fields.find((f) => f.field === name);
    return row === undefined || !view.allows(name) ? null : view.open(name, row.value_enc);
  };
  const first = value("first_name");
  const last = value("last_name");
  if (
    digest.firstName !== null &&
    (first === null || nameIndex(vault, "first_name", first) !== digest.firstName)
  )
    return false;
  if (digest.lastName !== null && (last === null || nameIndex(vault, "last_name", last) !== digest.lastName))
    return false;
  if (digest.zip === null) return true;
  const zips: string[] = [];
  const zipField = value("zip");
  if (zipField !== null) {
    const n = normaliseZip(zipField);
    if (n.ok) zips.push(n.value);
  }
  const addressField = MATCH_FIELDS.find((f) => f.endsWith("_address") && view.allows(f));
  if (addressField !== undefined) {
    const postals = await trx
      .selectFrom("subject_identities")
      .select("value_enc")
      .where("subject_id", "=", subjectId)
      .where("kind", "=", "postal")
      .execute();
    for (const p of postals) {
      const code = parseCanonical(view.open(addressField, p.value_enc, "identity.postal"))?.postalCode;
      if (code !== undefined && code !== "") zips.push(code);
    }
  }
  return zips.some((z) => zipIndex(vault, z) === digest.zip);
}

const present = (v: string | undefined): v is string => v !== undefined && v.trim() !== "";

/** Names compare without case, accents, punctuation or extra spaces (José-María = jose maria). */
function normaliseName(raw: string): string {
  return raw
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toUpperCase()
    .replace(/['’.]/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/**
 * A keyed index of a normalised name or ZIP, with the vault's index key, namespaced so that it can
 * never equal the index of an address. The namespace (`removal:`) is part of the stored digests of
 * list removals: it stays as it is.
 */
function nameIndex(vault: Pick<Vault, "blindIndex">, field: string, raw: string): string {
  return vault.blindIndex("postal", `removal:${field}:${normaliseName(raw)}`);
}

/** US ZIP+4 and 5-digit forms compare on the 5 digits. */
function zipIndex(vault: Pick<Vault, "blindIndex">, code: string): string {
  const five = /^\d{5}(?:-?\d{4})?$/.test(code) ? code.slice(0, 5) : code;
  return vault.blindIndex("postal", `removal:zip:${five}`);
}
