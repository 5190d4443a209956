import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from "kysely";
import type { Channel } from "../policy/schema.ts";
import type { Database } from "../store/database.ts";
import { birthCutoff } from "./age.ts";
import type { CompiledPolicy } from "./compiled.ts";
import { identityKindOf } from "./facts.table.ts";
import type { Decision, Use } from "./types.ts";
import { allowed, checkUse, type UseFacts, type UseVerdict } from "./use-rules.ts";

/**
 * A bulk use (campaign audience, partner export) as a SQL predicate over `subjects`.
 *
 * Rules 1–16 of decide.ts do not depend on the subject: they are decided once, here, in process.
 * If they refuse, `decision` is that refusal and `where` is `false`. Otherwise `decision` is what
 * every selected subject gets (allow, or partial with the same fields removed) and `where` states
 * rules 18–24 over the facts tables, so the rows it selects are exactly the subjects for which
 * `decide(policy, { ...facts, subject: loadSubjectFacts(subject) }, use)` does not refuse.
 * Every value is a bound parameter.
 */
export interface Audience {
  readonly decision: Decision;
  /** A predicate over the table `subjects` (unaliased); select from `subjects` to use it. */
  readonly where: Expression<SqlBool>;
}

export function compileAudience(policy: CompiledPolicy, facts: UseFacts, use: Use): Audience {
  const verdict = checkUse(policy, facts, use);
  if ("outcome" in verdict) return { decision: verdict, where: sql<SqlBool>`false` };
  // An erased person stays only as a tombstone row (kept records point at it): nobody to select.
  const parts = [sql<SqlBool>`subjects.erased_at is null`, ...subjectPredicates(policy, verdict, use)];
  const where = sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
  return { decision: allowed(policy, verdict, use), where };
}

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

const STOPPED = sql`(${"withdrawn"}, ${"objected"})`;

/** Rules 18–24 as SQL, in the order and with the conditions of subject-rules.ts. */
function subjectPredicates(policy: CompiledPolicy, verdict: UseVerdict, use: Use): RawBuilder<SqlBool>[] {
  const parts: RawBuilder<SqlBool>[] = [];
  const minimum = policy.minimumAge;
  if (minimum !== null) {
    const cutoff = birthCutoff(use.at, minimum.years);
    parts.push(
      use.action === "collect"
        ? sql`(subjects.birth_date is not null and subjects.birth_date <= cast(${cutoff} as date))`
        : sql`(subjects.birth_date is null or subjects.birth_date <= cast(${cutoff} as date))`,
    );
  }
  const { purpose, recipient, topic } = verdict;
  const channel = use.channel;
  if (verdict.marketing) {
    if (!policy.formerContactable) parts.push(sql`subjects.status <> ${"former"}`);
    if (channel !== undefined) {
      parts.push(sql`not exists (select 1 from subject_identities i
        join suppression_list x on x.channel = ${channel} and x.address_index = i.blind_index
        where i.subject_id = subjects.subject_id and i.kind = ${identityKindOf(channel)})`);
    }
  }
  if (!verdict.essential) {
    if (topic !== undefined) parts.push(sql`coalesce(${stateOf(topic.id, channel)}, '') not in ${STOPPED}`);
    if (purpose.basis === "consent" || purpose.basis === "opt_out") {
      const state = stateOf(purpose.id, channel);
      parts.push(sql`coalesce(${state}, '') not in ${STOPPED}`);
      if (purpose.basis === "consent") {
        parts.push(
          topic === undefined
            ? sql`coalesce(${state}, '') = ${"granted"}`
            : sql`(coalesce(${state}, '') = ${"granted"} or coalesce(${stateOf(topic.id, channel)}, '') = ${"granted"})`,
        );
      }
    }
  }
  if (recipient !== undefined) {
    if (recipient.needsConsent) parts.push(sql`coalesce(${stateOf(purpose.id, channel)}, '') = ${"granted"}`);
    if (recipient.optOutScope !== null) {
      parts.push(sql`not exists (select 1 from subject_opt_outs o
        where o.subject_id = subjects.subject_id and o.scope = ${recipient.optOutScope})`);
    }
  }
  if (purpose.permission !== null) parts.push(hasPermission(purpose.permission));
  if (recipient?.kind === "affiliate") parts.push(hasPermission("affiliate_identity"));
  return parts;
}

/** The subject's consent state for a purpose or topic: the channel row wins over the '' row. */
function stateOf(scope: string, channel: Channel | undefined): RawBuilder<string | null> {
  return channel === undefined
    ? sql`(select c.state from subject_consents c
        where c.subject_id = subjects.subject_id and c.scope = ${scope} and c.channel = '')`
    : sql`(select c.state from subject_consents c
        where c.subject_id = subjects.subject_id and c.scope = ${scope} and c.channel in (${channel}, '')
        order by c.channel desc limit 1)`;
}

function hasPermission(permission: string): RawBuilder<SqlBool> {
  return sql`exists (select 1 from subject_permissions p
    where p.subject_id = subjects.subject_id and p.permission = ${permission})`;
}
