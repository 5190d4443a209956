import { randomUUID } from "node:crypto";
import type { Kysely, Selectable, Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import { normaliseEmail } from "../../crypto/normalise.ts";
import { PledgeError } from "../../errors.ts";
import type { SubjectFacts } from "../../gate/types.ts";
import type { Database } from "../../store/database.ts";
import { auditActor, type Acting } from "../../use/acting.ts";
import { use, type Target } from "../../use/kernel.ts";
import { fail, failWith, ok, type Result } from "../../use/refusal.ts";
import type { FieldView } from "../../use/view.ts";
import type { RecordsDeps } from "../records/records.ts";
import type { PrivacyComplaintsTable } from "./complaints.table.ts";
import {
  addressOf,
  TRANSITIONS,
  type ComplaintDetail,
  type ComplaintStatus,
  type ComplaintSummary,
  type MoveRequest,
  type NewComplaint,
} from "./complaints.ts";
import "./complaints.events.ts";

type ComplaintRow = Selectable<PrivacyComplaintsTable>;

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
 * Opens a complaint (ZM-12). The sender's address is looked up by its email blind index: a match
 * links the complaint to that subject and encrypts under the subject's key; otherwise a data key
 * is made for this complaint alone. Returns the summary only.
 */
export async function openComplaint(
  deps: Pick<RecordsDeps, "db" | "vault" | "clock">,
  input: NewComplaint,
  actor: string,
): Promise<ComplaintSummary> {
  const now = deps.clock();
  const receivedAt = input.receivedAt === undefined ? now : new Date(input.receivedAt);
  if (Number.isNaN(receivedAt.getTime()))
    throw new PledgeError("PLEDGE_VALIDATION_FAILED", "receivedAt is not a date-time");
  const normalised = normaliseEmail(addressOf(input.from));
  const fromIndex = normalised.ok ? deps.vault.blindIndex("email", normalised.value) : null;
  const id = randomUUID();
  return deps.db.transaction().execute(async (trx) => {
    const linked =
      fromIndex === null
        ? undefined
        : await trx
            .selectFrom("subject_identities")
            .select("subject_id")
            .where("kind", "=", "email")
            .where("blind_index", "=", fromIndex)
            .orderBy("subject_id")
            .executeTakeFirst();
    const subjectCipher = linked === undefined ? null : await deps.vault.cipherFor(trx, linked.subject_id);
    const subjectId = subjectCipher === null ? null : subjectCipher.subjectId;
    const cipher = subjectCipher ?? (await deps.vault.createSubjectKey(trx, id));
    const row: ComplaintRow = {
      complaint_id: id,
      status: "open",
      version: 1,
      source: input.source,
      subject_id: subjectId,
      key_id: cipher.subjectId,
      from_index: fromIndex,
      from_enc: cipher.encrypt(field(id, "from"), input.from),
      subject_enc: cipher.encrypt(field(id, "subject"), input.subject),
      text_enc: cipher.encrypt(field(id, "text"), input.text),
      resolution_enc: null,
      received_at: receivedAt,
      updated_at: now,
    };
    await trx.insertInto("privacy_complaints").values(row).execute();
    await trx
      .insertInto("privacy_complaint_moves")
      .values({ complaint_id: id, seq: 1, from_status: null, to_status: "open", actor, at: now })
      .execute();
    await appendAudit(trx, [
      {
        type: "complaint.opened",
        at: now,
        actor,
        subjectId,
        payload: { complaintId: id, source: input.source, linked: subjectId !== null },
      },
    ]);
    return summaryOf(row, now);
  });
}

/** Complaints in a status (`unresolved`: open and in progress), oldest first; no personal values. */
export async function listComplaints(
  db: Kysely<Database>,
  now: Date,
  query: { status: ComplaintStatus | "unresolved"; limit: number },
): Promise<ComplaintSummary[]> {
  const statuses: ComplaintStatus[] =
    query.status === "unresolved" ? ["open", "in_progress"] : [query.status];
  const rows = await db
    .selectFrom("privacy_complaints")
    .selectAll()
    .where("status", "in", statuses)
    .orderBy("received_at")
    .orderBy("complaint_id")
    .limit(query.limit)
    .execute();
  return rows.map((r) => summaryOf(r, now));
}

/**
 * The one transition: a write to the complaint, so a use of the kernel for the stated purpose
 * (staff role and attestation; the linked person's reach, or an unknown sender's), then the move
 * checked against TRANSITIONS and the version the caller read (null: any); closing needs a note.
 * The move is recorded (table and audit log) with who and when, in the decision's transaction.
 */
export async function moveComplaint(
  deps: RecordsDeps,
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
  return use(deps, acting, targetOf(found), ask, async (scope) => {
    const { trx, now } = scope;
    const row = await trx
      .selectFrom("privacy_complaints")
      .selectAll()
      .where("complaint_id", "=", id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (expectedVersion !== null && expectedVersion !== row.version)
      return fail({ kind: "stale", version: row.version });
    if (!TRANSITIONS[row.status].includes(move.status)) {
      return failWith(
        new PledgeError(
          "PLEDGE_COMPLAINT_TRANSITION_INVALID",
          `a complaint that is ${row.status} cannot become ${move.status}`,
        ),
      );
    }
    const closing = move.status === "resolved" || move.status === "rejected";
    if (closing && note === "") {
      return failWith(
        new PledgeError("PLEDGE_VALIDATION_FAILED", `a complaint is ${move.status} with a note`),
      );
    }
    let resolution = row.resolution_enc;
    if (note !== "") {
      const cipher = await deps.vault.cipherFor(trx, row.key_id);
      if (cipher === null) return fail({ kind: "not_found" });
      resolution = scope.narrow(cipher).seal("support_tickets", note, field(id, "resolution"));
    }
    const version = row.version + 1;
    await trx
      .updateTable("privacy_complaints")
      .set({ status: move.status, version, resolution_enc: resolution, updated_at: now })
      .where("complaint_id", "=", id)
      .execute();
    const last = await trx
      .selectFrom("privacy_complaint_moves")
      .select((eb) => eb.fn.max<number>("seq").as("seq"))
      .where("complaint_id", "=", id)
      .executeTakeFirstOrThrow();
    const actor = auditActor(acting.actor);
    await trx
      .insertInto("privacy_complaint_moves")
      .values({
        complaint_id: id,
        seq: Number(last.seq ?? 0) + 1,
        from_status: row.status,
        to_status: move.status,
        actor,
        at: now,
      })
      .execute();
    scope.record({
      type: "complaint.moved",
      at: now,
      actor,
      subjectId: row.subject_id,
      payload: { complaintId: id, from: row.status, to: move.status, version },
    });
    return ok(summaryOf({ ...row, status: move.status, version }, now));
  });
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
  return use(deps, acting, targetOf(found), ask, async (scope) => {
    const fields = [...scope.decision.fields];
    scope.record({
      type: "complaint.read",
      at: scope.now,
      actor: auditActor(acting.actor),
      subjectId: found.subject_id,
      payload: { complaintId: id, purpose, fields },
    });
    const cipher = await deps.vault.cipherFor(scope.trx, found.key_id);
    const history = await movesOf(scope.trx, id);
    return ok(detailOf(found, scope.now, cipher === null ? null : scope.narrow(cipher), history));
  });
}

async function findComplaint(db: Kysely<Database>, id: string): Promise<ComplaintRow | undefined> {
  return db.selectFrom("privacy_complaints").selectAll().where("complaint_id", "=", id).executeTakeFirst();
}

/** Whom a use of a complaint is about: its linked subject, or a sender who is on record as nobody. */
function targetOf(row: ComplaintRow): Target {
  return row.subject_id === null ? { given: UNKNOWN_SENDER, about: null } : { subject: row.subject_id };
}

async function movesOf(trx: Transaction<Database>, id: string): Promise<ComplaintDetail["history"]> {
  const rows = await trx
    .selectFrom("privacy_complaint_moves")
    .selectAll()
    .where("complaint_id", "=", id)
    .orderBy("seq")
    .execute();
  return rows.map((m) => ({ from: m.from_status, to: m.to_status, actor: m.actor, at: m.at.toISOString() }));
}

function detailOf(
  row: ComplaintRow,
  now: Date,
  view: FieldView | null,
  history: ComplaintDetail["history"],
): ComplaintDetail {
  const open = (name: "from" | "subject" | "text" | "resolution", text: string | null, f: string) =>
    view === null || text === null || !view.allows(f)
      ? null
      : view.open(f, text, field(row.complaint_id, name));
  return {
    ...summaryOf(row, now),
    from: open("from", row.from_enc, "email"),
    subject: open("subject", row.subject_enc, "support_tickets"),
    text: open("text", row.text_enc, "support_tickets"),
    resolutionNote: open("resolution", row.resolution_enc, "support_tickets"),
    history,
  };
}

export function summaryOf(row: ComplaintRow, now: Date): ComplaintSummary {
  return {
    id: row.complaint_id,
    status: row.status,
    source: row.source,
    linked: row.subject_id !== null,
    receivedAt: row.received_at.toISOString(),
    ageDays: Math.max(0, Math.floor((now.getTime() - row.received_at.getTime()) / DAY_MS)),
    version: row.version,
  };
}
