import { randomUUID } from "node:crypto";
import type { Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import { normaliseEmail } from "../../crypto/normalise.ts";
import { PledgeError } from "../../errors.ts";
import { normaliseJurisdiction } from "../../policy/jurisdiction.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { auditActor, type Acting } from "../../use/acting.ts";
import { useIn } from "../../use/kernel.ts";
import type { RequestsDeps } from "./requests.deps.ts";
import { ok, type Result } from "../../use/refusal.ts";
import { CUSTOMER_SERVICE_QUEUE, digestOf, matchSubjects, type MatchDigest } from "./requests.match.ts";
import { openRequestIn } from "./requests.open.ts";
import { fulfilAndClose } from "./requests.fulfil.ts";
import { makeLink } from "./requests.links.ts";
import { isOptOut, type NewRequest, type Received, type RequestDetails } from "./requests.ts";
import { oweNotice, transition, type RequestRow } from "./requests.transition.ts";
import { viewOf } from "./requests.view.ts";
import "./requests.events.ts";

/**
 * Receiving a rights request, from every intake, in one transaction: the person is found (the
 * session's, or matched on the fields the pack's `removal_match` sets name; two people matched
 * act on nobody), the clock starts under the law of their jurisdiction, the routing of the pack
 * picks the queue, the acknowledgement is owed, and what needs no more checking is done at once
 * (an opt-out from someone found; any request from the signed-in person moves to verified).
 * A request repeating an open one of the same kind for the same person or address makes nothing
 * new: the open one is answered, `repeated: true`.
 *
 * The address notices go to, and what the person gave to be found by, are stored encrypted under
 * a data key of the request's own: erasing the person (a deletion request) leaves the request
 * able to tell them it was done.
 */
export type { RequestsDeps } from "./requests.deps.ts";

export async function receiveRequest(
  deps: RequestsDeps,
  acting: Acting,
  input: NewRequest,
): Promise<Result<Received>> {
  const received = await deps.db.transaction().execute((trx) => receiveRequestIn(trx, deps, acting, input));
  deps.onChange?.(received.request.id);
  return ok(received);
}

/**
 * `receiveRequest` in the caller's transaction (an agent's exercise commits with its replay claim
 * and its own record): a failure throws and the caller's transaction rolls back with it. The
 * caller tells `deps.onChange` of the request once it commits.
 */
export async function receiveRequestIn(
  trx: Transaction<Database>,
  deps: RequestsDeps,
  acting: Acting,
  input: NewRequest,
): Promise<Received> {
  const now = deps.clock();
  const pack = deps.policies.at(now.toISOString()).pack;
  checkKind(pack, input);
  const given = stated(input.jurisdiction);
  const digest =
    input.claimant === undefined || input.intake === "customer" || input.intake === "public"
      ? null
      : digestOf(deps.vault, pack, input.claimant);
  const email = contactOf(input);
  const emailIndex = email === null ? null : deps.vault.blindIndex("email", email);
  if (input.intake === "public" && email === null) {
    throw new PledgeError(
      "PLEDGE_VALIDATION_FAILED",
      "a request without an account gives the email address to verify",
    );
  }
  const actor = auditActor(acting.actor);
  let subject: { subjectId: string; jurisdiction: string | null } | null = null;
  let ambiguous = false;
  if (input.subjectId !== undefined) {
    const row = await trx
      .selectFrom("subjects")
      .select(["subject_id", "jurisdiction"])
      .where("subject_id", "=", input.subjectId)
      .where("erased_at", "is", null)
      .executeTakeFirst();
    if (row === undefined) throw new PledgeError("PLEDGE_NOT_FOUND", "no such person");
    subject = { subjectId: row.subject_id, jurisdiction: row.jurisdiction };
  } else if (digest !== null) {
    const matched = await matchSubjects(trx, deps, acting, digest);
    // Two people matched act on nobody. Staff are asked for more at once; an agent's request
    // is recorded and denied, so the agent has a status to show the person.
    if (matched.length > 1 && input.intake !== "agent") {
      throw new PledgeError(
        "PLEDGE_REQUEST_AMBIGUOUS_MATCH",
        `the details given fit ${matched.length} people: give more (${setsOf(pack)}) so that they fit one`,
        pack.requests?.clauses ?? [],
      );
    }
    // A list removal that fits nobody still puts the address on the Do Not Send list.
    if (matched.length === 0 && input.intake === "staff" && input.kind !== "list_removal") {
      throw new PledgeError(
        "PLEDGE_REQUEST_NO_MATCH",
        `the details given fit nobody on record: check them or give another set (${setsOf(pack)})`,
        pack.requests?.clauses ?? [],
      );
    }
    ambiguous = matched.length > 1;
    subject = matched.length === 1 ? matched[0]! : null;
  }
  const repeated = await openRepeat(trx, input, subject?.subjectId ?? null, emailIndex);
  if (repeated !== null) {
    await appendAudit(trx, [
      {
        type: "request.repeated",
        at: now,
        actor,
        subjectId: repeated.subject_id,
        payload: { requestId: repeated.request_id, kind: input.kind, intake: input.intake },
      },
    ]);
    if (input.intake === "public" && repeated.state === "identity_unverified") {
      // Asked again before verifying: a fresh link, so a lost message or an expired link never
      // leaves the person waiting (the route limits how often one address can ask).
      await makeLink(trx, repeated.request_id, "verify", now);
      await oweNotice(trx, repeated.request_id, "verify", now);
    }
    return { request: viewOf(pack, repeated, now), repeated: true };
  }
  // A list removal keeps the digest only: no value given is stored, and no notice is sent.
  const removal = input.kind === "list_removal";
  const contact = removal
    ? null
    : (email ?? (subject === null ? null : await ownEmail(trx, deps, acting, subject.subjectId)));
  const jurisdiction = given ?? subject?.jurisdiction ?? null;
  const id = randomUUID();
  let row = await openRequestIn(
    trx,
    pack,
    {
      id,
      kind: input.kind,
      intake: input.intake,
      subjectId: subject?.subjectId ?? null,
      jurisdiction,
      emailIndex,
      contact,
      ...(removal || input.claimant === undefined ? {} : { claimant: input.claimant }),
      ...(input.details === undefined ? {} : { details: input.details }),
      ...(input.agent === undefined ? {} : { agent: input.agent }),
      cipher: removal ? null : await deps.vault.createSubjectKey(trx, id),
    },
    actor,
    now,
  );
  if (removal && digest !== null) await keepDigest(trx, row.request_id, digest);
  // A request made without an account is acknowledged once its address is verified.
  if (contact !== null && row.intake !== "public")
    await oweNotice(trx, row.request_id, "acknowledgement", now);
  row = await firstMoves(trx, deps, acting, pack, row, input.details ?? {}, ambiguous, actor, now);
  return { request: viewOf(pack, row, now), repeated: false };
}

/**
 * What intake does at once: a public request waits for the address to be verified (the link is
 * sent); an agent's request for nobody on record is denied `no_match`, and for more than one
 * person `insuf_verification`; a request from the person (their session) or for a person found
 * by staff or an agent is verified, and a verified opt-out is done. A list removal is verified
 * whoever it fits (its address goes on the Do Not Send list even when it fits nobody) and is
 * done at once when it is in the customer service queue; a queue the pack routes its
 * jurisdiction to (Z19-06: the EU's to infosec) applies it from there.
 */
async function firstMoves(
  trx: Transaction<Database>,
  deps: RequestsDeps,
  acting: Acting,
  pack: PolicyPack,
  row: RequestRow,
  details: RequestDetails,
  ambiguous: boolean,
  actor: string,
  now: Date,
): Promise<RequestRow> {
  if (row.intake === "public") {
    await makeLink(trx, row.request_id, "verify", now);
    return transition(trx, pack, row, { to: "identity_unverified" }, actor, now);
  }
  if (row.kind === "list_removal") {
    const verified = await transition(trx, pack, row, { to: "verified" }, actor, now);
    return row.queue === CUSTOMER_SERVICE_QUEUE
      ? fulfilAndClose(trx, deps, acting, pack, verified, details, actor, now)
      : verified;
  }
  if (row.subject_id === null) {
    const reason = ambiguous ? "insuf_verification" : "no_match";
    return transition(trx, pack, row, { to: "denied", reason }, actor, now);
  }
  const verified = await transition(trx, pack, row, { to: "verified" }, actor, now);
  return isOptOut(row.kind)
    ? fulfilAndClose(trx, deps, acting, pack, verified, details, actor, now)
    : verified;
}

function checkKind(pack: PolicyPack, input: NewRequest): void {
  switch (input.kind) {
    case "opt_out_channel": {
      const channel = input.details?.channel;
      const channels = new Set(pack.purposes.flatMap((p) => p.channels ?? []));
      if (channel === undefined || !channels.has(channel as never)) {
        throw new PledgeError(
          "PLEDGE_VALIDATION_FAILED",
          `an opt-out of a channel names one the policy uses: ${[...channels].join(", ")}`,
        );
      }
      return;
    }
    case "list_removal":
      if (input.intake !== "staff" || input.claimant === undefined) {
        throw new PledgeError(
          "PLEDGE_VALIDATION_FAILED",
          "removal from lists is asked of staff, with the fields that identify the person; a customer stops a channel with opt_out_channel",
        );
      }
      return;
    case "complaint":
      throw new PledgeError(
        "PLEDGE_VALIDATION_FAILED",
        "privacy complaints are opened at POST /v1/privacy-complaints",
      );
    case "correction":
      if (Object.keys(input.details?.corrections ?? {}).length === 0) {
        throw new PledgeError(
          "PLEDGE_VALIDATION_FAILED",
          "a correction names the fields to correct and their values",
        );
      }
      return;
    case "access":
    case "portable_export":
    case "deletion":
    case "opt_out_sale":
    case "opt_out_sharing":
    case "opt_out_catalogues":
    case "limit_sensitive":
    case "disclosure_report":
      return;
    default: {
      const never: never = input.kind;
      return never;
    }
  }
}

function stated(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const j = normaliseJurisdiction(raw);
  if (j === null) {
    throw new PledgeError(
      "PLEDGE_VALIDATION_FAILED",
      "jurisdiction is a country (DE), a subdivision (US-CA) or a group (EU, EEA)",
    );
  }
  return j;
}

function setsOf(pack: PolicyPack): string {
  return (pack.requests?.removal_match ?? []).map((s) => `[${s.join(", ")}]`).join(" or ");
}

/** The address given for notices, normalised; null when none was given. */
function contactOf(input: NewRequest): string | null {
  const raw = input.claimant?.email;
  if (raw === undefined || raw.trim() === "") return null;
  const n = normaliseEmail(raw);
  if (!n.ok) throw new PledgeError(n.code, `claimant.email: ${n.detail}`);
  return n.value;
}

/** The open request this one repeats: same kind, same person (or, unmatched, same address). */
async function openRepeat(
  trx: Transaction<Database>,
  input: NewRequest,
  subjectId: string | null,
  emailIndex: string | null,
): Promise<RequestRow | null> {
  if (subjectId === null && emailIndex === null) return null;
  // Opt-outs of two channels are two requests; the channel is in the encrypted details, so
  // channel opt-outs are never taken as repeats of each other.
  if (input.kind === "opt_out_channel") return null;
  let q = trx
    .selectFrom("rights_requests")
    .selectAll()
    .where("kind", "=", input.kind)
    .where("closed_at", "is", null);
  q = subjectId !== null ? q.where("subject_id", "=", subjectId) : q.where("email_index", "=", emailIndex);
  return (await q.orderBy("received_at").forUpdate().executeTakeFirst()) ?? null;
}

/** The person's own email address, read as a use of their record for the self-service purpose. */
async function ownEmail(
  trx: Transaction<Database>,
  deps: RequestsDeps,
  acting: Acting,
  subjectId: string,
): Promise<string | null> {
  const purpose = deps.policies.at(deps.clock().toISOString()).pack.requests?.self_service?.purpose;
  if (purpose === undefined) return null;
  const read = await useIn(
    trx,
    deps,
    acting,
    { subject: subjectId },
    { action: "read", purpose, fields: ["email"] },
    async (scope) => {
      const row = await scope.trx
        .selectFrom("subject_identities")
        .select("value_enc")
        .where("subject_id", "=", subjectId)
        .where("kind", "=", "email")
        .orderBy("is_primary", "desc")
        .orderBy("created_at")
        .executeTakeFirst();
      const view = await scope.view();
      return ok(
        row === undefined || !view.allows("email")
          ? null
          : view.open("email", row.value_enc, "identity.email"),
      );
    },
  );
  return read.ok ? read.value : null;
}

/** What a list removal was asked with, as indexes only (requests.match.ts). */
async function keepDigest(trx: Transaction<Database>, requestId: string, digest: MatchDigest): Promise<void> {
  await trx
    .insertInto("list_removal_digests")
    .values({
      request_id: requestId,
      fields: digest.fields.join(","),
      email_index: digest.email,
      postal_index: digest.postal,
      first_name_index: digest.firstName,
      last_name_index: digest.lastName,
      zip_index: digest.zip,
    })
    .execute();
}
