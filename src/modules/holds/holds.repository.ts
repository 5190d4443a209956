import type { Kysely } from "kysely";
import type { Database } from "../../store/database.ts";

/** The person's active holds, oldest first (erasure and deletion requests ask this). */
export async function activeHolds(
  db: Kysely<Database>,
  subjectId: string,
): Promise<{ readonly holdId: string; readonly matter: string }[]> {
  const rows = await db
    .selectFrom("legal_holds")
    .select(["hold_id", "matter"])
    .where("subject_id", "=", subjectId)
    .where("released_at", "is", null)
    .orderBy("placed_at")
    .orderBy("hold_id")
    .execute();
  return rows.map((r) => ({ holdId: r.hold_id, matter: r.matter }));
}
