import { sql, type Kysely, type SqlBool } from "kysely";
import { NOT_ERASED, type Audience, type AudienceExplanation } from "../gate/sql.ts";
import type { Reason } from "../gate/types.ts";
import type { Database } from "../store/database.ts";

/**
 * Running the audiences the gate compiles (src/gate/sql.ts): the gate builds the predicate and
 * never runs it; these read with it.
 */
/** The ids of the audience, in id order: a convenience for callers and tests. */
export async function selectAudience(db: Kysely<Database>, audience: Audience): Promise<string[]> {
  const rows = await db
    .selectFrom("subjects")
    .select("subjects.subject_id")
    .where(audience.where)
    .orderBy("subjects.subject_id")
    .execute();
  return rows.map((r) => r.subject_id);
}

/** How many people a bulk use reaches and how many each part leaves out (in part order). */
export interface AudienceBreakdown {
  readonly audience: number;
  readonly excluded: readonly { readonly reason: Reason; readonly count: number }[];
}

/**
 * Counts the audience and the people each part excludes (those meeting every earlier part and not
 * this one), in one statement over the people not erased. Every excluded person is counted once,
 * under the first rule that refuses them, so `audience + Σ count` is the number of people.
 */
export async function breakdownAudience(
  db: Kysely<Database>,
  explanation: Pick<AudienceExplanation, "where" | "parts">,
): Promise<AudienceBreakdown> {
  const { parts } = explanation;
  const counts = parts.map((p, i) => {
    const before = parts.slice(0, i).map((q) => q.where);
    const fails = sql<SqlBool>`not coalesce(${p.where}, false)`;
    return sql<string>`count(*) filter (where ${sql.join([...before, fails], sql` and `)})`.as(`x${i}`);
  });
  const row = await db
    .selectFrom("subjects")
    .where(NOT_ERASED)
    .select([sql<string>`count(*) filter (where ${explanation.where})`.as("audience"), ...counts])
    .executeTakeFirstOrThrow();
  const values = row as unknown as Record<string, string | number>;
  return {
    audience: Number(values.audience),
    excluded: parts.map((p, i) => ({ reason: p.reason, count: Number(values[`x${i}`]) })),
  };
}
