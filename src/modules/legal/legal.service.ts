import { randomUUID } from "node:crypto";
import type { Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import { PledgeError } from "../../errors.ts";
import type { CompiledPolicy } from "../../gate/compiled.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { auditActor, type Acting } from "../../use/acting.ts";
import { use, useIn, type Ask } from "../../use/kernel.ts";
import { failWith, ok, type Result } from "../../use/refusal.ts";
import { findLiveSubject } from "../../use/subject.ts";
import { allMessages } from "../communications/communications.service.ts";
import type { DisclosureDeps } from "../disclosures/context.ts";
import { ledgerWrite } from "../disclosures/disclosures.service.ts";
import { disclosedRecords, isRecordField } from "../exports/records.ts";
import {
  APPROVALS_NEEDED,
  authorityOf,
  type LegalRequest,
  type LegalState,
  type NewEmergency,
  type NewLegalRequest,
  type Production,
} from "./legal.ts";
import {
  addApproval,
  approversOf,
  findRequest,
  listRows,
  markProduced,
  presentRequest,
  subjectsOf,
  type LegalRow,
} from "./legal.repository.ts";
import { transition } from "./legal.transition.ts";
import "./legal.events.ts";

/** The use kernel and the vault; `kick` is told when notices may be due (after a production commits). */
export interface LegalDeps extends DisclosureDeps {
  readonly kick?: () => void;
}

/** The content field the pack's communications block governs (ZZ-11). */
const CONTENT_FIELD = "message_content";

/**
 * What makes a request registrable, before anything is stored: the pack names an authority
 * recipient; the ground is one of the pack's `disclosure_grounds` (Z16-07, Z19-05, ZZ-10, ZM-15);
 * content of communications is asked only on a ground the pack's communications block lists
 * (ZZ-11); every field is one the pack knows and Pledge can produce.
 */
function checkScope(
  pack: PolicyPack,
  policy: CompiledPolicy,
  ground: string,
  fields: readonly string[],
): void {
  if (authorityOf(pack) === null)
    throw new PledgeError("PLEDGE_UNKNOWN_RECIPIENT", "the policy names no authority recipient");
  if (!pack.disclosure_grounds.grounds.includes(ground))
    throw new PledgeError(
      "PLEDGE_LEGAL_GROUND_REFUSED",
      `ground ${ground} is not one of the policy's disclosure grounds (${pack.disclosure_grounds.grounds.join(", ")})`,
      pack.disclosure_grounds.clauses,
    );
  if (fields.length === 0)
    throw new PledgeError("PLEDGE_VALIDATION_FAILED", "a request names at least one field");
  for (const f of fields) {
    if (!policy.fieldCategory.has(f))
      throw new PledgeError("PLEDGE_UNKNOWN_FIELD", `field ${f} is in no category of the policy`);
    if (!isRecordField(f) && f !== CONTENT_FIELD)
      throw new PledgeError("PLEDGE_UNKNOWN_FIELD", `field ${f} is not kept in a form Pledge can produce`);
  }
  const content = fields.some((f) => policy.contentFields.has(f));
  const grounds = pack.communications?.content_grounds ?? [];
  if (content && !grounds.includes(ground))
    throw new PledgeError(
      "PLEDGE_LEGAL_GROUND_REFUSED",
      grounds.length === 0
        ? "the policy lists no ground on which the content of communications is disclosed"
        : `the content of communications is disclosed only on ${grounds.join(", ")}, not ${ground}`,
      pack.communications?.clauses ?? pack.disclosure_grounds.clauses,
    );
}

function dateOf(value: string | undefined, what: string): Date | null {
  if (value === undefined) return null;
  const d = new Date(value);
  if (Number.isNaN(d.getTime()))
    throw new PledgeError("PLEDGE_VALIDATION_FAILED", `${what} is not a date-time`);
  return d;
}

/** Inserts a request and the people it names (each live, else PLEDGE_NOT_FOUND), audited `legal.received`. */
async function insertRequest(
  trx: Transaction<Database>,
  input: NewLegalRequest,
  extra: { state: LegalState; justification: string | null; actor: string; now: Date },
): Promise<LegalRow> {
  const subjects = [...new Set(input.subjects)];
  if (subjects.length === 0)
    throw new PledgeError("PLEDGE_VALIDATION_FAILED", "a request names at least one person");
  for (const id of subjects) {
    if ((await findLiveSubject(trx, id)) === null)
      throw new PledgeError("PLEDGE_NOT_FOUND", `no subject ${id}`);
  }
  const until = dateOf(input.nondisclosureUntil, "nondisclosureUntil");
  const row: LegalRow = {
    request_id: randomUUID(),
    authority: input.authority.trim(),
    country: input.country,
    instrument: input.instrument,
    reference: input.reference.trim(),
    ground: input.ground,
    fields: [...new Set(input.fields)],
    state: extra.state,
    received_by: extra.actor,
    received_at: extra.now,
    justification: extra.justification,
    nondisclosure_until: until,
    closed_by: null,
    closed_at: null,
    note: null,
  };
  await trx.insertInto("legal_requests").values(row).execute();
  await trx
    .insertInto("legal_request_subjects")
    .values(subjects.map((subject_id) => ({ subject_id, request_id: row.request_id })))
    .execute();
  await appendAudit(trx, [
    {
      type: "legal.received",
      at: extra.now,
      actor: extra.actor,
      subjectId: null,
      payload: {
        requestId: row.request_id,
        instrument: row.instrument,
        ground: row.ground,
        authority: row.authority,
        country: row.country,
        subjects: subjects.length,
        fields: row.fields,
        nondisclosureUntil: until?.toISOString() ?? null,
      },
    },
  ]);
  return row;
}

/** Registers a request as received by the caller. Nothing is produced yet. */
export async function registerRequest(
  deps: LegalDeps,
  acting: Acting,
  input: NewLegalRequest,
): Promise<LegalRequest> {
  const now = deps.clock();
  const { pack, policy } = deps.policies.at(now.toISOString());
  if (input.instrument === "emergency")
    throw new PledgeError(
      "PLEDGE_VALIDATION_FAILED",
      "an emergency disclosure is recorded after the fact at /v1/legal/emergencies, with its justification",
    );
  checkScope(pack, policy, input.ground, input.fields);
  const actor = auditActor(acting.actor);
  return deps.db.transaction().execute(async (trx) => {
    const row = await insertRequest(trx, input, { state: "received", justification: null, actor, now });
    return presentRequest(trx, row);
  });
}

/**
 * One approval by the caller. Refused (PLEDGE_LEGAL_APPROVAL_REFUSED) for the staff member who
 * received the request and for one who approved it already; a closed request cannot be approved
 * (PLEDGE_LEGAL_STATE). The second approval moves the request to `approved`.
 */
export async function approveRequest(
  deps: LegalDeps,
  acting: Acting,
  requestId: string,
): Promise<LegalRequest> {
  const now = deps.clock();
  const actor = auditActor(acting.actor);
  return deps.db.transaction().execute(async (trx) => {
    let row = await locked(trx, requestId);
    if (row.state !== "received")
      throw new PledgeError(
        "PLEDGE_LEGAL_STATE",
        `legal request ${requestId} is ${row.state}: it takes no approval`,
      );
    if (row.received_by === actor)
      throw new PledgeError(
        "PLEDGE_LEGAL_APPROVAL_REFUSED",
        "the staff member who received a request does not approve it",
      );
    if (!(await addApproval(trx, requestId, actor, now)))
      throw new PledgeError(
        "PLEDGE_LEGAL_APPROVAL_REFUSED",
        "this staff member approved the request already",
      );
    const count = (await approversOf(trx, requestId)).filter((a) => a.by !== row.received_by).length;
    await appendAudit(trx, [
      { type: "legal.approved", at: now, actor, subjectId: null, payload: { requestId, approvals: count } },
    ]);
    if (count >= APPROVALS_NEEDED) row = await transition(trx, row, "approved", actor, now);
    return presentRequest(trx, row);
  });
}

/** Refuses (the company pushes back) or withdraws (the authority withdrew) a request that is not final. */
export async function closeRequest(
  deps: LegalDeps,
  acting: Acting,
  requestId: string,
  to: "refused" | "withdrawn",
  note: string | null,
): Promise<LegalRequest> {
  const now = deps.clock();
  const actor = auditActor(acting.actor);
  return deps.db.transaction().execute(async (trx) => {
    const row = await transition(trx, await locked(trx, requestId), to, actor, now, note);
    return presentRequest(trx, row);
  });
}

async function locked(trx: Transaction<Database>, requestId: string): Promise<LegalRow> {
  const row = await findRequest(trx, requestId, true);
  if (row === undefined) throw new PledgeError("PLEDGE_NOT_FOUND", `no legal request ${requestId}`);
  return row;
}

export async function getRequest(deps: Pick<LegalDeps, "db">, requestId: string): Promise<LegalRequest> {
  const row = await findRequest(deps.db, requestId);
  if (row === undefined) throw new PledgeError("PLEDGE_NOT_FOUND", `no legal request ${requestId}`);
  return presentRequest(deps.db, row);
}

export async function listRequests(
  deps: Pick<LegalDeps, "db">,
  query: { state?: LegalState; limit: number },
): Promise<LegalRequest[]> {
  const rows = await listRows(deps.db, query);
  return Promise.all(rows.map((r) => presentRequest(deps.db, r)));
}

export interface ProduceInput {
  /** The people to produce for now (default: every person the request names). */
  readonly subjects?: readonly string[];
  /** The fields to produce (default: every field the request names). */
  readonly fields?: readonly string[];
}

/**
 * Produces an approved request, in ONE transaction: the request is locked; it must be `approved`
 * with two approvals by two staff members other than its receiver (PLEDGE_LEGAL_NOT_APPROVED),
 * and what is asked must lie inside its scope (PLEDGE_LEGAL_OUT_OF_SCOPE); then, for each person,
 * a `disclose` use to the pack's authority recipient on the request's ground (the gate decides,
 * audited), a disclosure-ledger row, and the values read back through the decision's view. The
 * request becomes `produced`, and each person's notice is due now, or when the non-disclosure
 * order ends. A refusal writes nothing but the audited decision; nothing leaves.
 */
export async function produceRequest(
  deps: LegalDeps,
  acting: Acting,
  requestId: string,
  input: ProduceInput,
): Promise<Result<Production>> {
  const now = deps.clock();
  const actor = auditActor(acting.actor);
  const { pack } = deps.policies.at(now.toISOString());
  const authority = authorityOf(pack);
  const result = await deps.db.transaction().execute(async (trx): Promise<Result<Production>> => {
    const row = await locked(trx, requestId);
    const approvers = (await approversOf(trx, requestId)).filter((a) => a.by !== row.received_by);
    if (row.state !== "approved" && row.state !== "received")
      return failWith(
        new PledgeError(
          "PLEDGE_LEGAL_STATE",
          `legal request ${requestId} is ${row.state}: nothing is produced`,
        ),
      );
    if (row.state !== "approved" || approvers.length < APPROVALS_NEEDED)
      return failWith(
        new PledgeError(
          "PLEDGE_LEGAL_NOT_APPROVED",
          `legal request ${requestId} has ${approvers.length} of the ${APPROVALS_NEEDED} approvals it needs`,
        ),
      );
    const named = await subjectsOf(trx, requestId);
    const subjects = [...new Set(input.subjects ?? named)];
    const fields = [...new Set(input.fields ?? row.fields)];
    const outside = [
      ...subjects.filter((s) => !named.includes(s)).map(() => "a person the request does not name"),
      ...fields.filter((f) => !row.fields.includes(f)).map((f) => `field ${f}`),
    ];
    if (outside.length > 0 || subjects.length === 0 || fields.length === 0)
      return failWith(
        new PledgeError(
          "PLEDGE_LEGAL_OUT_OF_SCOPE",
          `the production asks for ${outside[0] ?? "nothing"}, outside the scope of legal request ${requestId}`,
        ),
      );
    if (authority === null)
      return failWith(new PledgeError("PLEDGE_UNKNOWN_RECIPIENT", "the policy names no authority recipient"));
    const ask = {
      action: "disclose",
      purpose: authority.purpose,
      recipient: authority.recipient,
      fields,
      ground: row.ground,
    } as const;
    const noticeDue =
      row.nondisclosure_until !== null && row.nondisclosure_until > now ? row.nondisclosure_until : now;
    const records: Production["records"][number][] = [];
    const withheld: string[] = [];
    for (const subjectId of subjects.sort()) {
      const one = await useIn(trx, deps, acting, { subject: subjectId }, ask, async (scope) => {
        const disclosureId = await ledgerWrite(scope, "legal", [subjectId]);
        const values: Record<string, string> = {};
        const recordFields = scope.decision.fields.filter(isRecordField);
        if (recordFields.length > 0) {
          for await (const page of disclosedRecords(
            scope.trx,
            deps.vault,
            scope.narrow,
            disclosureId,
            recordFields,
          )) {
            const r = page.rows[0];
            if (r !== undefined) recordFields.forEach((f, i) => (values[f] = r[i] as string));
          }
        }
        let messages: { messageId: string; at: string; content: string }[] | undefined;
        if (scope.decision.fields.includes(CONTENT_FIELD)) {
          const view = await scope.view();
          messages = (await allMessages(scope.trx, subjectId)).map((m) => ({
            messageId: m.message_id,
            at: m.at.toISOString(),
            content: view.open(CONTENT_FIELD, m.content_enc),
          }));
        }
        await markProduced(scope.trx, requestId, subjectId, disclosureId, noticeDue);
        return ok({ subjectId, disclosureId, values, ...(messages === undefined ? {} : { messages }) });
      });
      if (one.ok) records.push(one.value);
      else if (one.kind === "not_found") withheld.push(subjectId);
      else if (records.length === 0 && withheld.length === 0) return one as Result<Production>;
      else throw new Error("a refusal that does not depend on the person came after the first person");
    }
    const produced = await transition(trx, row, "produced", actor, now);
    return ok({ request: await presentRequest(trx, produced), records, withheld });
  });
  if (result.ok) deps.kick?.();
  return result;
}

/**
 * Records an emergency disclosure after the fact (ZM-15: urgent danger to someone's safety): the
 * data went to the authority before any paperwork, so the request is registered already
 * `produced`, with its justification, and the production itself is recorded through the gate on
 * its ground into the disclosure ledger (a ground outside the pack's list is refused as for any
 * request). The people are told as after any production, unless a non-disclosure order runs.
 */
export async function recordEmergency(
  deps: LegalDeps,
  acting: Acting,
  input: NewEmergency,
): Promise<Result<Production>> {
  const now = deps.clock();
  const { pack, policy } = deps.policies.at(now.toISOString());
  const justification = input.justification.trim();
  if (justification.length < 10)
    throw new PledgeError("PLEDGE_VALIDATION_FAILED", "an emergency disclosure states its justification");
  checkScope(pack, policy, input.ground, input.fields);
  const authority = authorityOf(pack)!;
  const actor = auditActor(acting.actor);
  const result = await deps.db
    .transaction()
    .execute(async (trx): Promise<Result<Production>> => {
      const row = await insertRequest(
        trx,
        { ...input, instrument: "emergency" },
        { state: "produced", justification, actor, now },
      );
      await trx
        .updateTable("legal_requests")
        .set({ closed_by: actor, closed_at: now })
        .where("request_id", "=", row.request_id)
        .execute();
      await appendAudit(trx, [
        {
          type: "legal.moved",
          at: now,
          actor,
          subjectId: null,
          payload: { requestId: row.request_id, from: null, to: "produced" },
        },
        {
          type: "legal.emergency",
          at: now,
          actor,
          subjectId: null,
          payload: { requestId: row.request_id, justification },
        },
      ]);
      const ask = {
        action: "disclose",
        purpose: authority.purpose,
        recipient: authority.recipient,
        fields: row.fields,
        ground: row.ground,
      } as const;
      const noticeDue =
        row.nondisclosure_until !== null && row.nondisclosure_until > now ? row.nondisclosure_until : now;
      const records: Production["records"][number][] = [];
      const withheld: string[] = [];
      for (const subjectId of await subjectsOf(trx, row.request_id)) {
        const one = await useIn(trx, deps, acting, { subject: subjectId }, ask, async (scope) => {
          const disclosureId = await ledgerWrite(scope, "legal", [subjectId]);
          await markProduced(scope.trx, row.request_id, subjectId, disclosureId, noticeDue);
          return ok({ subjectId, disclosureId, values: {} });
        });
        if (one.ok) records.push(one.value);
        else if (one.kind === "not_found") withheld.push(subjectId);
        else throw new EmergencyRefused(one, subjectId, ask);
      }
      return ok({
        request: await presentRequest(trx, { ...row, closed_by: actor, closed_at: now }),
        records,
        withheld,
      });
    })
    .catch(async (error: unknown) => {
      if (!(error instanceof EmergencyRefused)) throw error;
      // Nothing of the record stays, but the refused use does: decided again outside the rolled
      // back transaction, the gate's refusal is in the audit log like any other.
      return use(deps, acting, { subject: error.subjectId }, error.ask, async () => error.result);
    });
  if (result.ok) deps.kick?.();
  return result;
}

/** A gate refusal while recording an emergency: nothing of the record stays (but the refusal). */
class EmergencyRefused extends Error {
  constructor(
    readonly result: Result<Production>,
    readonly subjectId: string,
    readonly ask: Ask,
  ) {
    super("the gate refused the emergency disclosure");
  }
}
