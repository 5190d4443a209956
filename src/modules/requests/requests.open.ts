import { randomUUID } from "node:crypto";
import type { Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import type { SubjectCipher } from "../../crypto/vault.types.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { lawFor } from "./deadlines.ts";
import { clockOf } from "./requests.clock.ts";
import { CUSTOMER_SERVICE_QUEUE, queueOf } from "./requests.match.ts";
import type { Claimant, RequestDetails, RequestIntake, RequestKind } from "./requests.ts";
import { recordMove, type RequestRow } from "./requests.transition.ts";
import { valueField } from "./requests.values.ts";

/** A request about to be written: who it is about, as far as intake knows, and what it carries. */
export interface Opening {
  /** The id to use (a complaint's content row shares it); a new one by default. */
  readonly id?: string;
  readonly kind: RequestKind;
  readonly intake: RequestIntake;
  readonly subjectId: string | null;
  readonly jurisdiction: string | null;
  /** The vault's email blind index of the address given, to recognise a repeat. */
  readonly emailIndex: string | null;
  /** The address notices go to; null: the request sends none. */
  readonly contact: string | null;
  readonly claimant?: Claimant;
  readonly details?: RequestDetails;
  readonly agent?: { readonly id: string; readonly requestId?: string; readonly callback?: string };
  /** The key its values are sealed under; null when it stores nothing encrypted. */
  readonly cipher: SubjectCipher | null;
  /** When the request reached the company (an inbound message's date); now by default. */
  readonly receivedAt?: Date;
}

/**
 * Writes a new request in `received`, in the caller's transaction: its clock under the law of its
 * jurisdiction from the day it was received, the queue the pack routes that jurisdiction to, the
 * first row of its history and its `request.received` audit event. The values it carries are
 * sealed under `cipher`, each bound to the request and its field.
 */
export async function openRequestIn(
  trx: Transaction<Database>,
  pack: PolicyPack,
  opening: Opening,
  actor: string,
  now: Date,
): Promise<RequestRow> {
  const id = opening.id ?? randomUUID();
  const receivedAt = opening.receivedAt ?? now;
  const law = lawFor(pack, opening.jurisdiction);
  const clock = clockOf(
    pack,
    {
      kind: opening.kind,
      law,
      jurisdiction: opening.jurisdiction,
      receivedAt,
      extended: false,
      pausedMs: 0,
      pausedSince: null,
    },
    now,
  );
  const seal = (name: "claimant" | "details" | "contact", value: string | null): string | null => {
    if (value === null) return null;
    if (opening.cipher === null) throw new Error(`request ${id} has a ${name} and no key to seal it`);
    return opening.cipher.encrypt(valueField(id, name), value);
  };
  const row: RequestRow = {
    request_id: id,
    kind: opening.kind,
    state: "received",
    version: 1,
    intake: opening.intake,
    subject_id: opening.subjectId,
    key_id: opening.cipher?.subjectId ?? null,
    email_index: opening.emailIndex,
    claimant_enc: seal("claimant", opening.claimant === undefined ? null : JSON.stringify(opening.claimant)),
    details_enc: seal("details", opening.details === undefined ? null : JSON.stringify(opening.details)),
    contact_enc: seal("contact", opening.contact),
    jurisdiction: opening.jurisdiction,
    law,
    queue: opening.jurisdiction === null ? CUSTOMER_SERVICE_QUEUE : queueOf(pack, opening.jurisdiction),
    received_at: receivedAt,
    due_at: clock.due,
    due_date: clock.dueDate,
    acknowledge_by: clock.acknowledgeBy,
    extended_at: null,
    extension_reason: null,
    paused_ms: 0,
    paused_since: null,
    denial_reason: null,
    assignee: null,
    agent_id: opening.agent?.id ?? null,
    agent_request_id: opening.agent?.requestId ?? null,
    status_callback: opening.agent?.callback ?? null,
    result: null,
    closed_at: null,
    updated_at: now,
  };
  await trx.insertInto("rights_requests").values(row).execute();
  await recordMove(trx, id, null, "received", actor, now, null);
  await appendAudit(trx, [
    {
      type: "request.received",
      at: now,
      actor,
      subjectId: row.subject_id,
      payload: {
        requestId: id,
        kind: row.kind,
        intake: row.intake,
        matched: row.subject_id !== null,
        law: row.law,
        queue: row.queue,
        due: row.due_at === null ? null : row.due_at.toISOString(),
      },
    },
  ]);
  return row;
}
