import { sql, type ExpressionBuilder, type Kysely, type SqlBool } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { CHANNELS, type Channel } from "../policy/schema.ts";
import type { Database } from "../store/database.ts";
import { ageAt } from "../gate/age.ts";
import { identityKindOf } from "../gate/facts.table.ts";
import type { ConsentState, Permission, SubjectFacts, SubjectStatus } from "../gate/types.ts";

/**
 * A subject's facts as decide() sees them, read in one round trip from the facts tables.
 * Null when there is no such subject, or it was erased. `age` is whole years on the UTC day of `at` (age.ts), the
 * same arithmetic compileAudience binds into SQL, so both forms agree. A consent row with
 * channel '' becomes the key `<scope>`, one with a channel `<scope>:<channel>`. `suppressed` lists
 * the channels on which one of the subject's identities is on the Do Not Send list.
 */
/** Pairs (identity kind, channel) whose listing suppresses: email↔email, phone↔phone|sms, postal↔postal|catalogue. */
const PAIRS = CHANNELS.map((c) => sql`(${identityKindOf(c)}, ${c})`);
const SUPPRESSIBLE = sql<SqlBool>`(i.kind, x.channel) in (${sql.join(PAIRS)})`;

export async function loadSubjectFacts(
  db: Kysely<Database>,
  subjectId: string,
  at: string,
): Promise<SubjectFacts | null> {
  const row = await db
    .selectFrom("subjects as s")
    .where("s.subject_id", "=", subjectId)
    .where("s.erased_at", "is", null)
    .select((eb) => factsColumns(eb, subjectId))
    .executeTakeFirst();
  return row === undefined ? null : factsOf(row, at);
}

/**
 * The columns `loadSubjectFacts` reads, over `subjects as s` restricted to `subjectId`: for a
 * caller that reads the subject's facts in the same statement as other columns of its row (one
 * round trip instead of two). Each subquery names the subject itself rather than referring to
 * `s`: on Citus only then does the statement go to the one shard that holds the person (a
 * correlated subquery makes it ask every shard, and fail while any worker is down).
 */
export function factsColumns(
  eb: ExpressionBuilder<Database & { s: Database["subjects"] }, "s">,
  subjectId: string,
) {
  return [
    "s.status",
    "s.jurisdiction",
    sql<string | null>`to_char(s.birth_date, 'YYYY-MM-DD')`.as("birth"),
    jsonArrayFrom(
      eb
        .selectFrom("subject_consents as c")
        .select(["c.scope", "c.channel", "c.state"])
        .where("c.subject_id", "=", subjectId),
    ).as("consents"),
    jsonArrayFrom(
      eb.selectFrom("subject_opt_outs as o").select("o.scope").where("o.subject_id", "=", subjectId),
    ).as("optOuts"),
    jsonArrayFrom(
      eb.selectFrom("subject_permissions as p").select("p.permission").where("p.subject_id", "=", subjectId),
    ).as("permissions"),
    jsonArrayFrom(
      eb
        .selectFrom("subject_identities as i")
        .innerJoin("suppression_list as x", "x.address_index", "i.blind_index")
        .where(SUPPRESSIBLE)
        .where("i.subject_id", "=", subjectId)
        .select("x.channel")
        .distinct(),
    ).as("suppressed"),
  ] as const;
}

/** What `factsColumns` read, as the gate sees it. */
export interface FactsColumns {
  readonly status: string;
  readonly jurisdiction: string | null;
  readonly birth: string | null;
  readonly consents: readonly { scope: string; channel: string; state: ConsentState }[];
  readonly optOuts: readonly { scope: string }[];
  readonly permissions: readonly { permission: string }[];
  readonly suppressed: readonly { channel: string }[];
}

export function factsOf(row: FactsColumns, at: string): SubjectFacts {
  const consents: Record<string, ConsentState> = {};
  for (const c of row.consents) consents[c.channel === "" ? c.scope : `${c.scope}:${c.channel}`] = c.state;
  return {
    status: row.status as SubjectStatus,
    age: row.birth === null ? null : ageAt(row.birth, at),
    jurisdiction: row.jurisdiction,
    consents,
    optOuts: row.optOuts.map((o) => o.scope),
    suppressed: row.suppressed.map((x) => x.channel as Channel),
    permissions: row.permissions.map((p) => p.permission as Permission),
  };
}

/** Whether the recipient's contract is on file and in force on `at` (gate fact). */
export async function contractOnFile(db: Kysely<Database>, recipientId: string, at: Date): Promise<boolean> {
  const day = at.toISOString().slice(0, 10);
  const row = await db
    .selectFrom("recipient_registry")
    .select("recipient_id")
    .where("recipient_id", "=", recipientId)
    .where("contract_ref", "is not", null)
    .where(sql<SqlBool>`contract_signed_on <= cast(${day} as date)`)
    .where(sql<SqlBool>`(contract_expires_on is null or contract_expires_on >= cast(${day} as date))`)
    .executeTakeFirst();
  return row !== undefined;
}
