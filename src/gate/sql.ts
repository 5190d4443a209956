import { sql, type Expression, type RawBuilder, type SqlBool } from "kysely";
import type { Channel } from "../policy/schema.ts";
import { birthCutoff } from "./age.ts";
import type { CompiledPolicy } from "./compiled.ts";
import { identityKindOf } from "./facts.table.ts";
import { reason, RULE } from "./reasons.ts";
import type { Decision, Reason, Use } from "./types.ts";
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

/**
 * One condition of an audience: a subject is in the audience only if it meets every part, and a
 * subject that meets the parts before this one but not this one is refused with `reason` (the
 * reason checkSubject gives it).
 */
export interface AudiencePart {
  readonly reason: Reason;
  /** A predicate over the table `subjects` (unaliased): true for the subjects that meet it. */
  readonly where: Expression<SqlBool>;
}

/**
 * The audience and why the others are left out: `where` is exactly compileAudience's predicate;
 * `parts` lists, in rule order, the conditions it is made of (erased people aside: they are not
 * counted at all). A subject is in the audience exactly when it meets every part; `where` leaves
 * out the parts a later part implies (not withdrawn, when a grant is required), which select
 * nothing more. The people a part excludes are those that meet every earlier part and not this
 * one: count them with `count(*) filter (where p1 and … and not pN)` over
 * `subjects where erased_at is null` (breakdownAudience does). Empty when `decision` refuses
 * outright.
 */
export interface AudienceExplanation extends Audience {
  readonly parts: readonly AudiencePart[];
  /**
   * `where` without the rules that move with the clock (the minimum age, which a birthday
   * crosses): true of a person until their record or the list changes. A kept audience
   * (src/use/kept.ts) stores who meets it and applies `aged` when it is read.
   */
  readonly standing: Expression<SqlBool>;
  /** The rules `standing` leaves out, over a birth-date column: `where` ≡ `standing and aged(subjects.birth_date)`. */
  readonly aged: (birthDate: RawBuilder<unknown>) => Expression<SqlBool>;
}

/** The predicate that leaves out erased people: a tombstone row is nobody to select. */
export const NOT_ERASED = sql<SqlBool>`subjects.erased_at is null`;

export function explainAudience(policy: CompiledPolicy, facts: UseFacts, use: Use): AudienceExplanation {
  const verdict = checkUse(policy, facts, use);
  if ("outcome" in verdict) {
    const none = sql<SqlBool>`false`;
    return { decision: verdict, where: none, parts: [], standing: none, aged: () => none };
  }
  const built = subjectParts(policy, verdict, use, BIRTH_DATE);
  const needed = built.filter((p) => !p.implied).map((p) => p.where);
  const where = sql<SqlBool>`(${sql.join([NOT_ERASED, ...needed], sql` and `)})`;
  const parts = built.map(({ reason, where }) => ({ reason, where }));
  const lasting = built.filter((p) => !p.implied && !p.aged).map((p) => p.where);
  const standing = sql<SqlBool>`(${sql.join([NOT_ERASED, ...lasting], sql` and `)})`;
  const aged = (birthDate: RawBuilder<unknown>): Expression<SqlBool> => {
    const rules = subjectParts(policy, verdict, use, birthDate).filter((p) => p.aged && !p.implied);
    return rules.length === 0
      ? sql<SqlBool>`true`
      : sql<SqlBool>`(${sql.join(
          rules.map((p) => p.where),
          sql` and `,
        )})`;
  };
  return { decision: allowed(policy, verdict, use), where, parts, standing, aged };
}

const BIRTH_DATE = sql`subjects.birth_date`;

export function compileAudience(policy: CompiledPolicy, facts: UseFacts, use: Use): Audience {
  const { decision, where } = explainAudience(policy, facts, use);
  return { decision, where };
}

const first = (d: Decision): Reason => d.reasons[0] as Reason;

/**
 * A part as built: `implied` when a later part implies it (e.g. "the purpose is not withdrawn"
 * once "the purpose is granted" follows). An implied part still gives its reason in the
 * breakdown, but the audience's predicate leaves it out: the rows selected are the same, and the
 * planner has one join fewer to run.
 */
interface BuiltPart extends AudiencePart {
  readonly implied: boolean;
  /** A rule of age: whether a person meets it changes with the date, not only with their record. */
  readonly aged: boolean;
}

/**
 * Rules 18–24 as SQL, in the order, with the conditions and the reasons of subject-rules.ts.
 * A rule whose reason depends on the facts (age unknown or under; withdrawn or objected) is
 * split into one part per reason. Conditions on other tables are EXISTS / NOT EXISTS straight
 * under the top-level AND, so PostgreSQL plans them as semi- and anti-joins (hash joins over a
 * large audience) rather than a subquery per row.
 */
function subjectParts(
  policy: CompiledPolicy,
  verdict: UseVerdict,
  use: Use,
  birthDate: RawBuilder<unknown>,
): BuiltPart[] {
  const parts: BuiltPart[] = [];
  const part = (why: Reason, where: RawBuilder<SqlBool>, implied = false): void => {
    parts.push({ reason: why, where, implied, aged: false });
  };
  const minimum = policy.minimumAge;
  if (minimum !== null) {
    const cutoff = birthCutoff(use.at, minimum.years);
    const aged = (why: Reason, where: RawBuilder<SqlBool>): void => {
      parts.push({ reason: why, where, implied: false, aged: true });
    };
    if (use.action === "collect") aged(first(minimum.unknownRefused), sql`${birthDate} is not null`);
    aged(first(minimum.underRefused), sql`(${birthDate} is null or ${birthDate} <= cast(${cutoff} as date))`);
  }
  const { purpose, recipient, topic } = verdict;
  const channel = use.channel;
  if (verdict.marketing) {
    if (!policy.formerContactable) part(first(policy.formerRefused), sql`subjects.status <> ${"former"}`);
    if (channel !== undefined) {
      part(
        first(policy.suppressedRefused[channel]),
        sql`not exists (select 1 from subject_identities i
        join suppression_list x on x.channel = ${channel} and x.address_index = i.blind_index
        where i.subject_id = subjects.subject_id and i.kind = ${identityKindOf(channel)})`,
      );
      const stop = policy.channelOptOuts.get(channel);
      if (stop !== undefined) {
        part(
          first(stop.refused),
          sql`not exists (select 1 from subject_opt_outs o
          where o.subject_id = subjects.subject_id and o.scope = ${stop.scope})`,
        );
      }
    }
  }
  // A grant of the purpose (on the use's channel) comes later and implies "not withdrawn".
  const grantFollows =
    (!verdict.essential && purpose.basis === "consent" && topic === undefined) ||
    recipient?.needsConsent === true;
  if (!verdict.essential) {
    if (topic !== undefined) {
      const detail = `the person stopped topic ${topic.id}`;
      part(
        reason(topic.clause, RULE.topicWithdrawn, "topic_withdrawn", detail),
        sql`not ${stateIs([topic.id], channel, STOPPED)}`,
      );
    }
    if (purpose.basis === "consent" || purpose.basis === "opt_out") {
      const code = purpose.basis === "consent" ? "consent_withdrawn" : "opted_out";
      for (const [stopped, did] of [
        ["withdrawn", "withdrew from"],
        ["objected", "objected to"],
      ] as const) {
        part(
          reason(purpose.clause, RULE.legalBasis, code, `the person ${did} purpose ${purpose.id}`),
          sql`not ${stateIs([purpose.id], channel, sql`(${stopped})`)}`,
          grantFollows,
        );
      }
      if (purpose.basis === "consent") {
        const scopes = topic === undefined ? [purpose.id] : [purpose.id, topic.id];
        part(first(purpose.consentMissing), stateIs(scopes, channel, GRANTED));
      }
    }
  }
  if (recipient !== undefined) {
    if (recipient.needsConsent) {
      const detail = `recipient ${recipient.id} receives data only with consent to purpose ${purpose.id}`;
      part(
        reason(recipient.clause, RULE.recipientConsent, "recipient_consent_missing", detail),
        stateIs([purpose.id], channel, GRANTED),
      );
    }
    if (recipient.optOutScope !== null) {
      const detail = `the person stopped ${recipient.optOutScope}`;
      part(
        reason(recipient.clause, RULE.recipientConsent, "sharing_opted_out", detail),
        sql`not exists (select 1 from subject_opt_outs o
        where o.subject_id = subjects.subject_id and o.scope = ${recipient.optOutScope})`,
      );
    }
  }
  if (purpose.permission !== null) {
    const clause = purpose.permission === "sale" ? policy.saleClause : purpose.clause;
    const detail = `purpose ${purpose.id} needs the ${purpose.permission} permission`;
    part(reason(clause, RULE.permission, "permission_missing", detail), hasPermission(purpose.permission));
  }
  if (recipient?.kind === "affiliate") {
    const detail = `recipient ${recipient.id} is an affiliate: it needs the affiliate_identity permission`;
    part(
      reason(recipient.clause, RULE.permission, "permission_missing", detail),
      hasPermission("affiliate_identity"),
    );
  }
  return parts;
}

const STOPPED = sql`(${"withdrawn"}, ${"objected"})`;
const GRANTED = sql`(${"granted"})`;

/**
 * True when the subject's consent state for one of `scopes` is in `states`. A subject's state for
 * a scope is its row for the use's channel if there is one, else its row for every channel
 * (channel ''); with no channel, only the '' row counts (stateOf in subject-rules.ts).
 */
function stateIs(
  scopes: readonly string[],
  channel: Channel | undefined,
  states: RawBuilder<unknown>,
): RawBuilder<SqlBool> {
  const scope =
    scopes.length === 1 ? sql`c.scope = ${scopes[0]}` : sql`c.scope in (${sql.join([...scopes])})`;
  const current =
    channel === undefined
      ? sql`c.channel = ''`
      : sql`(c.channel = ${channel} or (c.channel = '' and not exists (select 1 from subject_consents e
          where e.subject_id = c.subject_id and e.scope = c.scope and e.channel = ${channel})))`;
  return sql`exists (select 1 from subject_consents c
    where c.subject_id = subjects.subject_id and ${scope} and c.state in ${states} and ${current})`;
}

function hasPermission(permission: string): RawBuilder<SqlBool> {
  return sql`exists (select 1 from subject_permissions p
    where p.subject_id = subjects.subject_id and p.permission = ${permission})`;
}
