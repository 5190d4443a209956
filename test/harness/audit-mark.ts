import type { ExpressionBuilder, Kysely } from "kysely";
import type { Database } from "../../src/store/database.ts";

/**
 * Where every audit chain stood at a moment of a test, so that the rows appended since can be
 * read: a store on Citus has one chain per shard, each numbered from 1, so "seq above the highest
 * seq seen" does not say what came after.
 */
export type AuditMark = ReadonlyMap<number, number>;

export async function auditMark(db: Kysely<Database>): Promise<AuditMark> {
  const heads = await db.selectFrom("audit_head").select(["id", "seq"]).execute();
  return new Map(heads.map((h) => [Number(h.id), Number(h.seq)]));
}

/** A `where` for audit_log rows appended after `mark`. */
export function appendedSince(mark: AuditMark) {
  return (eb: ExpressionBuilder<Database, "audit_log">) =>
    eb.or([...mark].map(([chain, seq]) => eb.and([eb("chain", "=", chain), eb("seq", ">", seq)])));
}
