import { randomUUID } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import { PledgeError } from "../../errors.ts";
import type { Database } from "../../store/database.ts";
import { auditActor, type Acting } from "../../use/acting.ts";
import { findLiveSubject } from "../../use/subject.ts";
import type { LegalHold } from "./holds.ts";
import type { LegalHoldsTable } from "./holds.table.ts";
import "./holds.events.ts";

export interface HoldsDeps {
  readonly db: Kysely<Database>;
  readonly clock: () => Date;
}

/** Places a hold on a live person (PLEDGE_NOT_FOUND otherwise); audited as `hold.placed`. */
export async function placeHold(
  deps: HoldsDeps,
  acting: Acting,
  subjectId: string,
  matter: string,
): Promise<LegalHold> {
  const now = deps.clock();
  const actor = auditActor(acting.actor);
  return deps.db.transaction().execute(async (trx) => {
    const subject = await findLiveSubject(trx, subjectId, true);
    if (subject === null) throw new PledgeError("PLEDGE_NOT_FOUND", `no subject ${subjectId}`);
    const row = {
      hold_id: randomUUID(),
      subject_id: subjectId,
      matter: matter.trim(),
      placed_by: actor,
      placed_at: now,
      released_by: null,
      released_at: null,
    };
    await trx.insertInto("legal_holds").values(row).execute();
    await appendAudit(trx, [
      {
        type: "hold.placed",
        at: now,
        actor,
        subjectId,
        payload: { holdId: row.hold_id, matter: row.matter },
      },
    ]);
    return holdOf(row);
  });
}

/**
 * Releases a hold (PLEDGE_NOT_FOUND when the person has no such hold); a released hold is
 * returned as it is. Audited as `hold.released`.
 */
export async function releaseHold(
  deps: HoldsDeps,
  acting: Acting,
  subjectId: string,
  holdId: string,
): Promise<LegalHold> {
  const now = deps.clock();
  const actor = auditActor(acting.actor);
  return deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("legal_holds")
      .selectAll()
      .where("hold_id", "=", holdId)
      .where("subject_id", "=", subjectId)
      .forUpdate()
      .executeTakeFirst();
    if (row === undefined)
      throw new PledgeError("PLEDGE_NOT_FOUND", `no legal hold ${holdId} on this subject`);
    if (row.released_at !== null) return holdOf(row);
    await trx
      .updateTable("legal_holds")
      .set({ released_by: actor, released_at: now })
      .where("subject_id", "=", subjectId)
      .where("hold_id", "=", holdId)
      .execute();
    await appendAudit(trx, [
      { type: "hold.released", at: now, actor, subjectId, payload: { holdId, matter: row.matter } },
    ]);
    return holdOf({ ...row, released_by: actor, released_at: now });
  });
}

/** Every hold on a person, active and released, newest first. */
export async function listHolds(db: Kysely<Database>, subjectId: string): Promise<LegalHold[]> {
  const rows = await db
    .selectFrom("legal_holds")
    .selectAll()
    .where("subject_id", "=", subjectId)
    .orderBy("placed_at", "desc")
    .orderBy("hold_id")
    .execute();
  return rows.map(holdOf);
}

function holdOf(row: Selectable<LegalHoldsTable>): LegalHold {
  return {
    id: row.hold_id,
    subjectId: row.subject_id,
    matter: row.matter,
    placedBy: row.placed_by,
    placedAt: new Date(row.placed_at).toISOString(),
    releasedBy: row.released_by,
    releasedAt: row.released_at === null ? null : new Date(row.released_at).toISOString(),
  };
}
