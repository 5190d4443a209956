import { randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import type { AuditEvent } from "../../audit/audit.events.ts";
import { normaliseEmail } from "../../crypto/normalise.ts";
import {
  normalisePostal,
  normaliseZip,
  parseCanonical,
  type PostalAddressInput,
} from "../../crypto/postal.ts";
import type { Vault } from "../../crypto/vault.types.ts";
import { PledgeError } from "../../errors.ts";
import { normaliseJurisdiction, specificity } from "../../policy/jurisdiction.ts";
import type { Channel, PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { auditActor, type Acting } from "../../use/acting.ts";
import { useIn, type UseDeps, type UseScope } from "../../use/kernel.ts";
import { ok } from "../../use/refusal.ts";
import { stopChannelIn } from "../consent/consent.service.ts";
import { suppressIndex } from "../suppression/suppression.service.ts";
import "./removal.events.ts";

/**
 * Removal from marketing, mail and email lists on a request (Z16-14, Z19-06). The values given
 * are reduced at once to blind indexes (a `RemovalDigest`); matching, queueing and applying work
 * on the digest only, so nothing personal is stored, logged or audited.
 */
type Db = Kysely<Database>;

export interface RemovalDeps extends UseDeps {
  readonly vault: Pick<Vault, "blindIndex" | "cipherFor">;
}

export interface RemovalInput {
  readonly firstName?: string;
  readonly lastName?: string;
  readonly email?: string;
  readonly postalAddress?: PostalAddressInput;
  readonly zip?: string;
  readonly jurisdiction?: string;
}

export interface RemovalDigest {
  readonly fields: string[];
  readonly email: string | null;
  readonly postal: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly zip: string | null;
}

export interface RemovalOutcome {
  readonly id: string;
  readonly status: "applied" | "queued";
  readonly queue: string;
  readonly matched: number;
}

export interface QueuedRequest {
  readonly id: string;
  readonly queue: string;
  readonly status: "applied" | "queued";
  readonly receivedAt: string;
  readonly appliedAt: string | null;
  readonly matched: number | null;
}

/** The queue that applies requests at once; a routing entry naming another queue holds them there. */
export const CUSTOMER_SERVICE_QUEUE = "customer-service";

/**
 * The one transition table of a removal request: received into a queue, then applied, once. A
 * request received by customer service is applied in the same transaction.
 */
export const REMOVAL_TRANSITIONS = {
  apply: { from: ["queued"], to: "applied" },
} as const satisfies Record<string, { from: readonly RemovalStatus[]; to: RemovalStatus }>;
export type RemovalStatus = "queued" | "applied";
/** Marketing stops on these channels for every matched person. */
export const REMOVAL_CHANNELS: readonly Channel[] = ["email", "postal", "catalogue"];

/**
 * Receives a request: applied at once, or queued when its jurisdiction routes to another queue.
 * The jurisdiction is the request's, or else the most protective of the matched people's (one
 * that routes away from customer service, Z19-06); either is folded to one spelling first.
 */
export async function receiveRemoval(
  deps: RemovalDeps,
  acting: Acting,
  input: RemovalInput,
): Promise<RemovalOutcome> {
  const now = deps.clock();
  const pack = deps.policies.at(now.toISOString()).pack;
  const digest = digestOf(deps.vault, pack, input);
  const given = input.jurisdiction === undefined ? null : normaliseJurisdiction(input.jurisdiction);
  if (input.jurisdiction !== undefined && given === null) {
    throw new PledgeError(
      "PLEDGE_VALIDATION_FAILED",
      "jurisdiction is a country (DE), a subdivision (US-CA) or a group (EU, EEA)",
    );
  }
  const actor = auditActor(acting.actor);
  return deps.db.transaction().execute(async (trx) => {
    const matched = await matchSubjects(trx, deps, acting, digest);
    const jurisdiction =
      given ??
      matched
        .map((m) => m.jurisdiction)
        .find((j) => j !== null && queueOf(pack, j) !== CUSTOMER_SERVICE_QUEUE) ??
      matched.find((m) => m.jurisdiction !== null)?.jurisdiction ??
      null;
    const queue = jurisdiction === null ? CUSTOMER_SERVICE_QUEUE : queueOf(pack, jurisdiction);
    const id = randomUUID();
    await trx
      .insertInto("removal_requests")
      .values({
        request_id: id,
        queue,
        status: "queued",
        fields: digest.fields.join(","),
        jurisdiction,
        email_index: digest.email,
        postal_index: digest.postal,
        first_name_index: digest.firstName,
        last_name_index: digest.lastName,
        zip_index: digest.zip,
        matched: null,
        received_at: now,
        received_by: actor,
      })
      .execute();
    if (queue !== CUSTOMER_SERVICE_QUEUE) {
      await appendAudit(trx, [
        {
          type: "removal.queued",
          at: now,
          actor,
          subjectId: null,
          payload: { requestId: id, queue, fields: digest.fields, matched: matched.length },
        },
      ]);
      return { id, status: "queued" as const, queue, matched: matched.length };
    }
    const n = await applyIn(trx, pack, { id, queue, status: "queued" }, digest, matched, actor, now);
    return { id, status: "applied" as const, queue, matched: n };
  });
}

/** Applies a queued request (PLEDGE_NOT_FOUND when unknown; an applied one is returned as it is). */
export async function applyRemoval(deps: RemovalDeps, acting: Acting, id: string): Promise<RemovalOutcome> {
  const now = deps.clock();
  const pack = deps.policies.at(now.toISOString()).pack;
  return deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("removal_requests")
      .selectAll()
      .where("request_id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (row === undefined) throw new PledgeError("PLEDGE_NOT_FOUND", `no removal request ${id}`);
    if (row.status === "applied")
      return { id, status: "applied" as const, queue: row.queue, matched: row.matched ?? 0 };
    const digest = digestOfRow(row);
    const matched = await matchSubjects(trx, deps, acting, digest);
    const n = await applyIn(
      trx,
      pack,
      { id, queue: row.queue, status: row.status },
      digest,
      matched,
      auditActor(acting.actor),
      now,
    );
    return { id, status: "applied" as const, queue: row.queue, matched: n };
  });
}

/** The queue a request waits in; null when there is no such request. */
export async function queueOfRequest(db: Db, id: string): Promise<string | null> {
  const row = await db
    .selectFrom("removal_requests")
    .select("queue")
    .where("request_id", "=", id)
    .executeTakeFirst();
  return row?.queue ?? null;
}

/** Requests of a queue, oldest first: ids, status and dates, no personal values. */
export async function listRemovals(db: Db, queue: string, limit: number): Promise<QueuedRequest[]> {
  const rows = await db
    .selectFrom("removal_requests")
    .select(["request_id", "queue", "status", "received_at", "applied_at", "matched"])
    .where("queue", "=", queue)
    .orderBy("received_at")
    .orderBy("request_id")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.request_id,
    queue: r.queue,
    status: r.status,
    receivedAt: new Date(r.received_at).toISOString(),
    appliedAt: r.applied_at === null ? null : new Date(r.applied_at).toISOString(),
    matched: r.matched,
  }));
}

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
 * Checks the fields given against the pack's `removal_match` sets (PLEDGE_VALIDATION_FAILED naming
 * the sets when none is satisfied) and reduces the values to blind indexes.
 */
export function digestOf(
  vault: Pick<Vault, "blindIndex">,
  pack: PolicyPack,
  input: RemovalInput,
): RemovalDigest {
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
        ? "this policy accepts no removal requests"
        : `a removal request must give one of these sets of fields: ${accepted}`,
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
  deps: RemovalDeps,
  acting: Acting,
  digest: RemovalDigest,
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

/** The record fields a removal request's identity is confirmed on. */
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
  digest: RemovalDigest,
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

async function applyIn(
  trx: Transaction<Database>,
  pack: PolicyPack,
  request: { readonly id: string; readonly queue: string; readonly status: RemovalStatus },
  digest: RemovalDigest,
  matched: readonly Matched[],
  actor: string,
  now: Date,
): Promise<number> {
  const ctx = { actor, now };
  for (const m of matched)
    for (const channel of REMOVAL_CHANNELS)
      await stopChannelIn(trx, pack, m.subjectId, channel, { source: "staff" }, ctx);
  // The Do Not Send list, on the channels the pack keeps one for: it holds even when nobody matched.
  const listed = new Set(pack.messages.suppression?.channels ?? []);
  let suppressed = 0;
  for (const channel of REMOVAL_CHANNELS) {
    if (!listed.has(channel)) continue;
    const index = channel === "email" ? digest.email : digest.postal;
    if (index === null) continue;
    const { added } = await suppressIndex(
      trx,
      { channel, addressIndex: index, reason: "request", source: "staff" },
      ctx,
    );
    if (added) suppressed += 1;
  }
  await moveRemoval(
    trx,
    request,
    "apply",
    { matched: matched.length, applied_at: now, applied_by: actor },
    {
      type: "removal.applied",
      at: now,
      actor,
      subjectId: null,
      payload: {
        requestId: request.id,
        queue: request.queue,
        fields: digest.fields,
        matched: matched.length,
        channels: [...REMOVAL_CHANNELS],
        suppressed,
      },
    },
  );
  return matched.length;
}

/**
 * The one way a removal request's status changes: the move must be in REMOVAL_TRANSITIONS from
 * the status read (the row is locked, or was just written), and its audit event is written with
 * it, in the caller's transaction.
 */
async function moveRemoval(
  trx: Transaction<Database>,
  request: { readonly id: string; readonly status: RemovalStatus },
  move: keyof typeof REMOVAL_TRANSITIONS,
  columns: { matched: number; applied_at: Date; applied_by: string },
  event: AuditEvent,
): Promise<void> {
  const { from, to } = REMOVAL_TRANSITIONS[move];
  if (!(from as readonly string[]).includes(request.status)) {
    throw new Error(`a ${request.status} removal request cannot ${move}`);
  }
  await trx
    .updateTable("removal_requests")
    .set({ status: to, ...columns })
    .where("request_id", "=", request.id)
    .where("status", "=", request.status)
    .execute();
  await appendAudit(trx, [event]);
}

function digestOfRow(row: {
  fields: string;
  email_index: string | null;
  postal_index: string | null;
  first_name_index: string | null;
  last_name_index: string | null;
  zip_index: string | null;
}): RemovalDigest {
  return {
    fields: row.fields === "" ? [] : row.fields.split(","),
    email: row.email_index,
    postal: row.postal_index,
    firstName: row.first_name_index,
    lastName: row.last_name_index,
    zip: row.zip_index,
  };
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
 * never equal the index of an address.
 */
function nameIndex(vault: Pick<Vault, "blindIndex">, field: string, raw: string): string {
  return vault.blindIndex("postal", `removal:${field}:${normaliseName(raw)}`);
}

/** US ZIP+4 and 5-digit forms compare on the 5 digits. */
function zipIndex(vault: Pick<Vault, "blindIndex">, code: string): string {
  const five = /^\d{5}(?:-?\d{4})?$/.test(code) ? code.slice(0, 5) : code;
  return vault.blindIndex("postal", `removal:zip:${five}`);
}
