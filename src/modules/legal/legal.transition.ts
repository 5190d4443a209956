import type { Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import { PledgeError } from "../../errors.ts";
import type { Database } from "../../store/database.ts";
import { TRANSITIONS, type LegalState } from "./legal.ts";
import type { LegalRow } from "./legal.repository.ts";
import "./legal.events.ts";

/**
 * The one place a legal request's state changes: checks the move against `TRANSITIONS`
 * (PLEDGE_LEGAL_STATE otherwise), writes it guarded by the state read (a concurrent move loses),
 * and appends `legal.moved` in the caller's transaction. Final moves record who closed it.
 */
export async function transition(
  trx: Transaction<Database>,
  row: LegalRow,
  to: LegalState,
  actor: string,
  now: Date,
  note: string | null = null,
): Promise<LegalRow> {
  const from = row.state as LegalState;
  if (!TRANSITIONS[from].includes(to))
    throw new PledgeError(
      "PLEDGE_LEGAL_STATE",
      `legal request ${row.request_id} is ${from}: it cannot become ${to}`,
    );
  const final = TRANSITIONS[to].length === 0;
  const set = final ? { state: to, closed_by: actor, closed_at: now, note: note ?? row.note } : { state: to };
  const done = await trx
    .updateTable("legal_requests")
    .set(set)
    .where("request_id", "=", row.request_id)
    .where("state", "=", from)
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) !== 1)
    throw new PledgeError("PLEDGE_LEGAL_STATE", `legal request ${row.request_id} changed meanwhile`);
  await appendAudit(trx, [
    {
      type: "legal.moved",
      at: now,
      actor,
      subjectId: null,
      payload: { requestId: row.request_id, from, to },
    },
  ]);
  return { ...row, ...set };
}
