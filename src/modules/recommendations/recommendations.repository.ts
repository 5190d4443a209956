import { randomUUID } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import type { Database } from "../../store/database.ts";
import type { ProductViewsTable } from "./recommendations.table.ts";

/** SQL of a customer's own product views, and nothing else. Every statement names its subject. */
type Db = Kysely<Database>;

export type ProductViewRow = Selectable<ProductViewsTable>;

export async function insertProductView(
  db: Db,
  row: { subject_id: string; at: Date; view_enc: string; policy_version: string },
): Promise<void> {
  await db
    .insertInto("product_views")
    .values({ ...row, view_id: randomUUID() })
    .execute();
}

/** Deletes the subject's views older than `before`; returns how many. */
export async function deleteViewsBefore(db: Db, subjectId: string, before: Date): Promise<number> {
  const r = await db
    .deleteFrom("product_views")
    .where("subject_id", "=", subjectId)
    .where("at", "<", before)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** The subject's views since `since`, newest first, at most `limit`. */
export async function recentViews(
  db: Db,
  subjectId: string,
  since: Date,
  limit: number,
): Promise<ProductViewRow[]> {
  return db
    .selectFrom("product_views")
    .selectAll()
    .where("subject_id", "=", subjectId)
    .where("at", ">=", since)
    .orderBy("at", "desc")
    .orderBy("view_id")
    .limit(limit)
    .execute();
}

/** Every view of the subject, oldest first (the access export). */
export async function allViews(db: Db, subjectId: string): Promise<ProductViewRow[]> {
  return db
    .selectFrom("product_views")
    .selectAll()
    .where("subject_id", "=", subjectId)
    .orderBy("at")
    .orderBy("view_id")
    .execute();
}

export async function deleteAllViews(db: Db, subjectId: string): Promise<number> {
  const r = await db.deleteFrom("product_views").where("subject_id", "=", subjectId).executeTakeFirst();
  return Number(r.numDeletedRows);
}
