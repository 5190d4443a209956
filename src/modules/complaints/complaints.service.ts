import { randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { normaliseEmail } from "../../crypto/normalise.ts";
import { PledgeError } from "../../errors.ts";
import type { SubjectFacts } from "../../gate/types.ts";
import type { Database } from "../../store/database.ts";
import { auditActor, type Acting } from "../../use/acting.ts";
import { use, type Target } from "../../use/kernel.ts";
import { fail, failWith, ok, type Result } from "../../use/refusal.ts";
import type { FieldView } from "../../use/view.ts";
import type { RecordsDeps } from "../records/records.ts";
import type { RequestsDeps } from "../requests/requests.deps.ts";
import { openRequestIn } from "../requests/requests.open.ts";
import { transition, type RequestRow } from "../requests/requests.transition.ts";
import { TRANSITIONS } from "../requests/requests.ts";
import {
  addressOf,
  moveTo,
  statesOf,
  statusOf,
  type ComplaintDetail,
  type ComplaintStatus,
  type ComplaintSummary,
  type MoveRequest,
  type NewComplaint,
} from "./complaints.ts";
import "./complaints.events.ts";

/** What the complaint routes run with: the use kernel, the vault, and the request listeners. */
export type ComplaintDeps = RecordsDeps & Pick<RequestsDeps, "onChange">;

/** A complaint: its request (state, version, clock) and its message. */
interface ComplaintRow {
  readonly request: RequestRow;
  readonly message: {
    readonly key_id: string;
    readonly from_enc: string;
    readonly subject_enc: string;
    readonly text_enc: string;
    readonly resolution_enc: string | null;
  };
}

/**
 * The pack fields a complaint's content is read as: the sender's `email`, and the subject line,
 * text and resolution note as `support_tickets` (a complaint is a ticket about the service).
 */
export const COMPLAINT_FIELDS = ["email", "support_tickets"] as const;

/**
 * The facts of a sender who is no subject: nothing on file. Rules 18–24 then judge the read as they
 * would for a person Pledge knows nothing about (a read is never refused for an unknown age).
 */
const UNKNOWN_SENDER: SubjectFacts = {
  status: "prospect",
  age: null,
  jurisdiction: null,
  consents: {},
  optOuts: [],
  suppressed: [],
  permissions: [],
};

const DAY_MS = 86_400_000;

/** Associated data binds each ciphertext to its complaint and field. */
const field = (id: string, name: "from" | "subject" | "text" | "resolution") => `complaint.${id}.${name}`;

/**
 * Opens a complaint (ZM-12): a rights request of the kind `complaint`, received (by mail or from
 * staff) and verified at once (there is nobody to verify: the complaint is answered as written),
 * with its message beside it. The sender's address is looked up by its email blind index: a match
 * links the complaint to that subject, whose jurisdiction sets its clock, and encrypts under the
 * subject's key; otherwise a data key is made for this complaint alone. Returns the summary only.
 */
export async function openComplaint(
  deps: Pick<ComplaintDeps, "db" | "vault" | "clock" | "policies" | "onChange">,
  input: NewComplaint,
  actor: string,
): Promise<ComplaintSummary> {
  const now = deps.clock();
  const pack = deps.policies.at(now.toISOString()).pack;
  const receivedAt = input.receivedAt === undefined ? now : new Date(input.receivedAt);
  if (Number.isNaN(receivedAt.getTime()))
    throw new PledgeError("PLEDGE_VALIDATION_FAILED", "receivedAt is not a date-time");
  const normalised = normaliseEmail(addressOf(input.from));
  const fromIndex = normalised.ok ? deps.vault.blindIndex("email", normalised.value) : null;
  const id = randomUUID();
  const summary = await deps.db.transaction().execute(async (trx) => {
    const linked =
      fromIndex === null
        ? undefined
        : await trx
            .selectFrom("subject_identities as i")
            .innerJoin("subjects as s", "s.subject_id", "i.subject_id")
            .select(["s.subject_id", "s.jurisdiction"])
            .where("i.kind", "=", "email")
            .where("i.blind_index", "=", fromIndex)
            .orderBy("s.subject_id")
            .executeTakeFirst();
    const subjectCipher = linked === undefined ? null : await deps.vault.cipherFor(trx, linked.subject_id);
    const subjectId = subjectCipher === null ? null : subjectCipher.subjectId;
    const cipher = subjectCipher ?? (await deps.vault.createSubjectKey(trx, id));
    const received = await openRequestIn(
      trx,
      pack,
      {
        id,
        kind: "complaint",
        intake: input.source === "inbound-mail" ? "mail" : "staff",
        subjectId,
        jurisdiction: subjectId === null ? null : (linked?.jurisdiction ?? null),
        emailIndex: fromIndex,
        contact: null,
        cipher,
        receivedAt,
      },
      actor,
      now,
    );
    const request = await transition(trx, pack, received, { to: "verified" }, actor, now);
    const message = {
      complaint_id: id,
      subject_id: subjectId,
      key_id: cipher.subjectId,
      from_index: fromIndex,
      from_enc: cipher.encrypt(field(id, "from"), input.from),
      subject_enc: cipher.encrypt(field(id, "subject"), input.subject),
      text_enc: cipher.encrypt(field(id, "text"), input.text),
      resolution_enc: null,
      received_at: receivedAt,
    };
    await trx.insertInto("privacy_complaints").values(message).execute();
    return summaryOf(request, now);
  });
  deps.onChange?.(id);
  return summary;
}

/** Complaints in a status (`unresolved`: open and in progress), oldest first; no personal values. */
export async function listComplaints(
  db: Kysely<Database>,
  now: Date,
  query: { status: ComplaintStatus | "unresolved"; limit: number },
): Promise<ComplaintSummary[]> {
  const states =
    query.status === "unresolved"
      ? [...statesOf("open"), ...statesOf("in_progress")]
      : statesOf(query.status);
  const rows = await db
    .selectFrom("rights_requests")
    .selectAll()
    .where("kind", "=", "complaint")
    .where("state", "in", states)
    .orderBy("received_at")
    .orderBy("request_id")
    .limit(query.limit)
    .execute();
  return rows.map((r) => summaryOf(r, now));
}

/**
 * A change of status: a write to the complaint, so a use of the kernel for the stated purpose
 * (staff role and attestation; the linked person's reach, or an unknown sender's), then the
 * request's move (`moveTo`) checked against the request TRANSITIONS and the version the caller
 * read (null: any); closing needs a note, sealed beside the message. The move is the request's
 * `transition()`: its history row and audit event, in the decision's transaction.
 */
export async function moveComplaint(
  deps: ComplaintDeps,
  acting: Acting,
  id: string,
  expectedVersion: number | null,
  move: MoveRequest & { readonly purpose: string },
): Promise<Result<ComplaintSummary>> {
  const found = await findComplaint(deps.db, id);
  if (found === undefined) return fail({ kind: "not_found" });
  const note = move.note?.trim() ?? "";
  const ask = {
    action: "collect",
    purpose: move.purpose,
    fields: note === "" ? [] : ["support_tickets"],
  } as const;
  const moved = await use<ComplaintSummary>(deps, acting, targetOf(found.request), ask, async (scope) => {
    const { trx, now } = scope;
    const row = await trx
      .selectFrom("rights_requests")
      .selectAll()
      .where("request_id", "=", id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (expectedVersion !== null && expectedVersion !== row.version)
      return fail({ kind: "stale", version: row.version });
    const to = moveTo(move.status);
    if (to === null || !TRANSITIONS[row.state].includes(to.to)) {
      return failWith(
        new PledgeError(
          "PLEDGE_COMPLAINT_TRANSITION_INVALID",
          `a complaint that is ${statusOf(row.state)} cannot become ${move.status}`,
        ),
      );
    }
    const closing = move.status === "resolved" || move.status === "rejected";
    if (closing && note === "") {
      return failWith(
        new PledgeError("PLEDGE_VALIDATION_FAILED", `a complaint is ${move.status} with a note`),
      );
    }
    if (note !== "") {
      const cipher = await deps.vault.cipherFor(trx, found.message.key_id);
      if (cipher === null) return fail({ kind: "not_found" });
      await trx
        .updateTable("privacy_complaints")
        .set({ resolution_enc: scope.narrow(cipher).seal("support_tickets", note, field(id, "resolution")) })
        .where("complaint_id", "=", id)
        .execute();
    }
    const pack = deps.policies.at(now.toISOString()).pack;
    const next = await transition(trx, pack, row, to, auditActor(acting.actor), now);
    return ok(summaryOf(next, now));
  });
  if (moved.ok) deps.onChange?.(id);
  return moved;
}

/**
 * Shows one complaint's content to staff: a `read` of COMPLAINT_FIELDS for the stated purpose,
 * decided by the gate (the linked subject's facts, or an unknown sender's) with projection, so a
 * purpose that allows only some fields shows only those. The decision and the read are audited in
 * the transaction that decrypts.
 */
export async function readComplaint(
  deps: RecordsDeps,
  acting: Acting,
  id: string,
  purpose: string,
): Promise<Result<ComplaintDetail>> {
  const found = await findComplaint(deps.db, id);
  if (found === undefined) return fail({ kind: "not_found" });
  const ask = { action: "read", purpose, fields: COMPLAINT_FIELDS, projection: true } as const;
  return use(deps, acting, targetOf(found.request), ask, async (scope) => {
    const fields = [...scope.decision.fields];
    scope.record({
      type: "complaint.read",
      at: scope.now,
      actor: auditActor(acting.actor),
      subjectId: found.request.subject_id,
      payload: { complaintId: id, purpose, fields },
    });
    const cipher = await deps.vault.cipherFor(scope.trx, found.message.key_id);
    const history = await movesOf(scope.trx, id);
    return ok(detailOf(found, scope.now, cipher === null ? null : scope.narrow(cipher), history));
  });
}

async function findComplaint(db: Kysely<Database>, id: string): Promise<ComplaintRow | undefined> {
  const request = await db
    .selectFrom("rights_requests")
    .selectAll()
    .where("request_id", "=", id)
    .where("kind", "=", "complaint")
    .executeTakeFirst();
  if (request === undefined) return undefined;
  const message = await db
    .selectFrom("privacy_complaints")
    .select(["key_id", "from_enc", "subject_enc", "text_enc", "resolution_enc"])
    .where("complaint_id", "=", id)
    .executeTakeFirstOrThrow();
  return { request, message };
}

/** Whom a use of a complaint is about: its linked subject, or a sender who is on record as nobody. */
function targetOf(row: RequestRow): Target {
  return row.subject_id === null ? { given: UNKNOWN_SENDER, about: null } : { subject: row.subject_id };
}

/** The request's history as changes of status: moves within one status (received, verified) are not shown. */
async function movesOf(trx: Transaction<Database>, id: string): Promise<ComplaintDetail["history"]> {
  const rows = await trx
    .selectFrom("rights_request_moves")
    .selectAll()
    .where("request_id", "=", id)
    .orderBy("seq")
    .execute();
  return rows.flatMap((m) => {
    const from = m.from_state === null ? null : statusOf(m.from_state);
    const to = statusOf(m.to_state);
    return from === to ? [] : [{ from, to, actor: m.actor, at: new Date(m.at).toISOString() }];
  });
}

function detailOf(
  row: ComplaintRow,
  now: Date,
  view: FieldView | null,
  history: ComplaintDetail["history"],
): ComplaintDetail {
  const id = row.request.request_id;
  const open = (name: "from" | "subject" | "text" | "resolution", text: string | null, f: string) =>
    view === null || text === null || !view.allows(f) ? null : view.open(f, text, field(id, name));
  return {
    ...summaryOf(row.request, now),
    from: open("from", row.message.from_enc, "email"),
    subject: open("subject", row.message.subject_enc, "support_tickets"),
    text: open("text", row.message.text_enc, "support_tickets"),
    resolutionNote: open("resolution", row.message.resolution_enc, "support_tickets"),
    history,
  };
}

export function summaryOf(row: RequestRow, now: Date): ComplaintSummary {
  const receivedAt = new Date(row.received_at);
  return {
    id: row.request_id,
    status: statusOf(row.state),
    source: row.intake === "mail" ? "inbound-mail" : "staff",
    linked: row.subject_id !== null,
    receivedAt: receivedAt.toISOString(),
    ageDays: Math.max(0, Math.floor((now.getTime() - receivedAt.getTime()) / DAY_MS)),
    version: row.version,
  };
}
