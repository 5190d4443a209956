import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool, type Transaction } from "kysely";
import { appendAudit } from "../audit/append.ts";
import type { AuditEvent } from "../audit/audit.events.ts";
import type { AuditWriter } from "../audit/writer.ts";
import type { SubjectCipher, Vault } from "../crypto/vault.types.ts";
import { PledgeError } from "../errors.ts";
import type { CompiledPolicy } from "../gate/compiled.ts";
import { decide, decideUse } from "../gate/decide.ts";
import { RULE } from "../gate/reasons.ts";
import { explainAudience, type AudiencePart } from "../gate/sql.ts";
import type { Action, Decision, SubjectFacts, Use } from "../gate/types.ts";
import type { UseFacts } from "../gate/use-rules.ts";
import type { PolicyPack } from "../policy/schema.ts";
import type { Database } from "../store/database.ts";
import type { Acting } from "./acting.ts";
import { decisionEvent } from "./events.ts";
import { contractOnFile, loadSubjectFacts } from "./facts.ts";
import { clausesOf, fail, refusalOf, type Refusal, type Result } from "./refusal.ts";
import { findLiveSubject, findLiveSubjectWithFacts, type SubjectRow } from "./subject.ts";
import { keptRows, markPeopleStale } from "./kept.ts";
import { fieldView, viewOf, type FieldView } from "./view.ts";
import { unknownName } from "./vocabulary.ts";

/**
 * The one way out for personal data. Every read, write, send, export, disclosure and analysis of
 * personal data, from a route, a command or a job, is a call of `use`. Inside ONE transaction it
 *
 *  1. loads the facts: the live subject and the gate's facts about them (one statement for a
 *     read; a row lock first for a write), the recipient's contract on file;
 *  2. asks the gate: `decide` for one person, or the SQL audience for a list (rules 0–16 here,
 *     17–24 as a predicate the work selects with);
 *  3. appends the decision to the audit log, allowed or not;
 *  4. runs `work` against a view that reaches only the fields the decision allowed.
 *
 * A use whose work writes nothing (a read, `readOnly`) runs steps 1, 2 and 4 in a READ ONLY
 * transaction and appends its decision with group commit as soon as that ends; its result is
 * returned only once the decision is durable.
 *
 * A refusal is a value (`Result`), never an exception: refused work is rolled back while its
 * decision stays audited. A refusal that depends on the person answers `not_found`, the same as
 * an unknown subject. A name the pack does not know (a field, recipient, topic or role) is a
 * malformed question: `PLEDGE_UNKNOWN_*` naming the clauses the gate would refuse on, with
 * nothing written. An unknown purpose is a refusal like any other (rule 2).
 */
export interface UseDeps {
  readonly db: Kysely<Database>;
  readonly policies: PolicyLookup;
  readonly vault: Pick<Vault, "cipherFor">;
  readonly clock: () => Date;
  /** The region this deployment stores and processes data in (gate rule 1). */
  readonly region: string;
  /** Told of every decision that is audited (metrics); must not throw or do I/O. */
  readonly onDecision?: (outcome: Decision["outcome"], action: Action) => void;
  /** The group-commit writer that appends the decisions of uses that write nothing (`readOnly`). */
  readonly audit?: AuditWriter;
}

/** The version of the policy in force at an instant (`PolicyBook` is one). */
export interface PolicyLookup {
  at(instant: string): { pack: PolicyPack; policy: CompiledPolicy };
}

/** A use as a module states it; the actor and the instant are added by the kernel. */
export interface Ask {
  readonly action: Action;
  readonly purpose: string;
  readonly fields: readonly string[];
  readonly recipient?: string;
  readonly channel?: Use["channel"];
  readonly messageClass?: Use["messageClass"];
  readonly topic?: string;
  readonly ground?: string;
  readonly caseId?: string;
  readonly aggregate?: boolean;
  readonly projection?: boolean;
}

/** Whom a use is about. */
export type Target =
  /** One person on record. */
  | { readonly subject: string }
  /**
   * A person whose facts are given, not read: one whose record this use creates (a collect at
   * sign-up), or the sender of a message who is on record as nobody (`about` names the record the
   * use concerns, if any).
   */
  | { readonly given: SubjectFacts; readonly about?: string | null }
  /** Everyone the policy lets the use reach: the work selects with `scope.audience`. */
  | { readonly audience: true }
  /** Data held of nobody on record (a cookie's, a list's), or an aggregate: rules 0–16 decide. */
  | { readonly nobody: true };

export interface UseOptions {
  /** Lock the subject row before reading the facts (writes). */
  readonly lock?: boolean;
  /**
   * The work writes nothing (a read). It runs in a READ ONLY transaction, which the database
   * enforces, and its audit events are appended by the group-commit writer (`deps.audit`) once
   * that transaction ends: many reads share one commit of the log instead of each locking the
   * chain's head through its own. The result is returned only when the events are durable; if
   * they cannot be written, the use fails and nothing read leaves. Without a writer, the events
   * are appended in a transaction of their own, as for any use.
   */
  readonly readOnly?: boolean;
  /**
   * The work changes none of the facts the gate reads about the person (consents, opt-outs,
   * permissions, status, birth date, identities, erasure): the person is not marked for their
   * kept audiences (src/use/kept.ts) to be worked out again. Leave it unset whenever in doubt.
   */
  readonly keepsFacts?: boolean;
  /** The version the caller last saw (If-Match); another current version is `stale`. */
  readonly expectedVersion?: number;
  /** Adjusts the person's facts from what the transaction can read (e.g. a permission that does not cover this record). */
  readonly facts?: (trx: Transaction<Database>, facts: SubjectFacts) => Promise<SubjectFacts>;
  /** A module's own words for a refusal; null keeps the kernel's answer (see `refusalAnswer`). */
  readonly tell?: (decision: Decision) => PledgeError | null;
  /**
   * The person's own access to everything held about them (ALL-04): the view reaches the whole
   * record, not only the fields of the purpose. Only the person themself gets it; asked for by
   * anyone else it is a bug and throws.
   */
  readonly whole?: boolean;
}

/** What the work of an allowed use runs with. */
export interface UseScope {
  readonly trx: Transaction<Database>;
  readonly acting: Acting;
  readonly use: Use;
  readonly decision: Decision;
  readonly now: Date;
  readonly pack: PolicyPack;
  readonly policy: CompiledPolicy;
  /** The live record, for a use about one person on record. */
  readonly subject: SubjectRow | null;
  /** The predicate over `subjects` that selects the audience, for a use about everyone. */
  readonly audience: Expression<SqlBool> | null;
  /** The conditions the audience is made of, each with the reason it leaves people out. */
  readonly audienceParts: readonly AudiencePart[];
  /**
   * The audience as rows of `subject_id` read from its kept audience (src/use/kept.ts), exactly
   * the people `audience` selects; null when the audience is not kept and built.
   */
  readonly audienceRows: RawBuilder<{ subject_id: string }> | null;
  /** The person's cipher narrowed to the decision's fields (a use about one person on record). */
  view(): Promise<FieldView>;
  /** Any cipher (a new subject's, a row of a list's) narrowed to the decision's fields. */
  narrow(cipher: SubjectCipher): FieldView;
  /** Audit events that commit with the work, after the decision's. */
  record(...events: AuditEvent[]): void;
  /** Names the person a use about a new subject created, on its audited decision. */
  created(subjectId: string): void;
  /** Audit events that stand whether the work succeeds or refuses (the record of a refusal). */
  recordAnyway(...events: AuditEvent[]): void;
}

export type Work<T> = (scope: UseScope) => Promise<Result<T>>;

export async function use<T>(
  deps: UseDeps,
  acting: Acting,
  target: Target,
  ask: Ask,
  work: Work<T>,
  options: UseOptions = {},
): Promise<Result<T>> {
  if (options.readOnly === true) return useReadOnly(deps, acting, target, ask, work, options);
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const opened = await open(trx, deps, acting, target, ask, options);
      if (!opened.ok) {
        await appendAudit(trx, opened.audited);
        return opened.result as Result<T>;
      }
      const done = await work(opened.scope);
      // A refusal found by the work undoes what it wrote; the decision is still recorded below.
      if (!done.ok) throw new WorkRefused(done, auditedAfter(opened, done));
      await keepAudiences(trx, opened, options);
      await appendAudit(trx, auditedAfter(opened, done));
      return done;
    });
  } catch (error) {
    if (!(error instanceof WorkRefused)) throw error;
    const audited = error.audited;
    await deps.db.transaction().execute((trx) => appendAudit(trx, audited));
    return error.result as Result<T>;
  }
}

/** `use` with `readOnly`: the work in a READ ONLY transaction, its events appended after it. */
async function useReadOnly<T>(
  deps: UseDeps,
  acting: Acting,
  target: Target,
  ask: Ask,
  work: Work<T>,
  options: UseOptions,
): Promise<Result<T>> {
  if (options.lock === true) throw new Error("a read-only use locks nothing");
  let audited: AuditEvent[] = [];
  const result = await deps.db
    .transaction()
    .setAccessMode("read only")
    .execute(async (trx) => {
      const opened = await open(trx, deps, acting, target, ask, options);
      if (!opened.ok) {
        audited = opened.audited;
        return opened.result as Result<T>;
      }
      const done = await work(opened.scope);
      audited = auditedAfter(opened, done);
      return done;
    });
  const writer = deps.audit;
  if (audited.length === 0) return result; // a malformed question: nothing is written
  if (writer === undefined) {
    await deps.db.transaction().execute((trx) => appendAudit(trx, audited));
  } else {
    // Appended in one tick, so the events of this use go into one commit, in this order.
    await Promise.all(audited.map((event) => writer.append(event)));
  }
  return result;
}

/**
 * `use` inside the caller's transaction, for work that must commit with more of the caller's
 * (sign-up writes the record, its consents, the account and a session at once). A refusal, the
 * gate's or the work's, leaves only the audited decision written by this call (the work's writes
 * are rolled back to a savepoint); the caller decides whether to commit.
 */
export async function useIn<T>(
  trx: Transaction<Database>,
  deps: UseDeps,
  acting: Acting,
  target: Target,
  ask: Ask,
  work: Work<T>,
  options: UseOptions = {},
): Promise<Result<T>> {
  const opened = await open(trx, deps, acting, target, ask, options);
  if (!opened.ok) {
    await appendAudit(trx, opened.audited);
    return opened.result as Result<T>;
  }
  await sql`savepoint pledge_use`.execute(trx);
  const done = await work(opened.scope);
  if (!done.ok) {
    await sql`rollback to savepoint pledge_use`.execute(trx);
    await appendAudit(trx, auditedAfter(opened, done));
    return done;
  }
  await sql`release savepoint pledge_use`.execute(trx);
  await keepAudiences(trx, opened, options);
  await appendAudit(trx, auditedAfter(opened, done));
  return done;
}

/**
 * Marks the person a use that wrote was about, or created, for their kept audiences to be worked
 * out again (src/use/kept.ts); until then an audience decides them through the gate's predicate.
 */
async function keepAudiences(
  trx: Transaction<Database>,
  opened: Extract<Opened, { ok: true }>,
  options: UseOptions,
): Promise<void> {
  const about = opened.event().subjectId;
  if (about === null || options.keepsFacts === true) return;
  await markPeopleStale(trx, [about]);
}

type Opened =
  | {
      readonly ok: true;
      readonly scope: UseScope;
      /** The decision's event as it was decided (what stays when the work refuses). */
      readonly decided: AuditEvent;
      /** The decision's event once the work ran, naming the subject it created, if any. */
      readonly event: () => AuditEvent;
      readonly events: AuditEvent[];
      /** Events kept when the work refuses too. */
      readonly anyway: AuditEvent[];
    }
  | {
      readonly ok: false;
      readonly result: Result<never>;
      /** What the caller appends to the log: the refused decision (nothing for a malformed question). */
      readonly audited: AuditEvent[];
    };

/**
 * What a use appends once its work has run: when the work succeeded, the decision (naming the
 * person it created, if any), the events kept anyway and those the work recorded; when the work
 * refused, the decision as decided and the events kept anyway.
 */
function auditedAfter(opened: Extract<Opened, { ok: true }>, done: Result<unknown>): AuditEvent[] {
  return done.ok ? [opened.event(), ...opened.anyway, ...opened.events] : [opened.decided, ...opened.anyway];
}

/** Steps 1–3: the facts, the gate, and a refusal with its decision to audit; or the scope to work in. */
async function open(
  trx: Transaction<Database>,
  deps: UseDeps,
  acting: Acting,
  target: Target,
  ask: Ask,
  options: UseOptions,
): Promise<Opened> {
  const now = deps.clock();
  const at = now.toISOString();
  const { pack, policy } = deps.policies.at(at);
  const use: Use = { ...ask, actor: acting.actor, at };
  const subjectId = "subject" in target ? target.subject : null;
  let subject: SubjectRow | null = null;
  let facts: SubjectFacts | null = null;
  if (subjectId !== null) {
    if (options.lock === true) {
      subject = await findLiveSubject(trx, subjectId, true);
      facts = subject === null ? null : await loadSubjectFacts(trx, subjectId, at);
    } else {
      const found = await findLiveSubjectWithFacts(trx, subjectId, at);
      subject = found?.subject ?? null;
      facts = found?.facts ?? null;
    }
    if (facts !== null && options.facts !== undefined) facts = await options.facts(trx, facts);
  } else if ("given" in target) {
    facts = target.given;
  }
  const useFacts: UseFacts = {
    actorAttested: acting.attested,
    recipientContractOnFile:
      ask.recipient === undefined ? null : await contractOnFile(trx, ask.recipient, now),
    deploymentRegion: deps.region,
  };
  let decision: Decision;
  let audience: Expression<SqlBool> | null = null;
  let audienceParts: readonly AudiencePart[] = [];
  let audienceRows: RawBuilder<{ subject_id: string }> | null = null;
  if ("audience" in target) {
    const explained = explainAudience(policy, useFacts, use);
    decision = explained.decision;
    audience = explained.where;
    audienceParts = explained.parts;
    audienceRows = await keptRows(trx, explained, policy.version);
  } else if ("nobody" in target) {
    decision = decideUse(policy, useFacts, use);
  } else {
    decision = decide(policy, { ...useFacts, subject: facts }, use);
  }
  // A name the pack does not know is a malformed question, not a use: nothing is written.
  const unknown = decision.reasons[0]?.code === "purpose_unknown" ? null : unknownName(pack, use);
  if (unknown !== null) {
    const error = new PledgeError(unknown.code, unknown.detail, clausesOf(decision));
    return { ok: false, result: fail({ kind: "error", error }), audited: [] };
  }
  const event = decisionEvent(
    subjectId ?? ("given" in target ? (target.about ?? null) : null),
    use,
    decision,
  );
  deps.onDecision?.(decision.outcome, use.action);
  const refusal =
    refusalAnswer(decision, target, options) ?? (subjectId !== null && subject === null ? notFound : null);
  const stale =
    refusal === null &&
    options.expectedVersion !== undefined &&
    subject !== null &&
    options.expectedVersion !== subject.version
      ? ({ kind: "stale", version: subject.version } as const)
      : null;
  if (refusal !== null || stale !== null) {
    return { ok: false, result: fail((refusal ?? stale)!), audited: [event] };
  }
  const events: AuditEvent[] = [];
  const anyway: AuditEvent[] = [];
  let about = event;
  if (options.whole === true && !(acting.actor.kind === "customer" && acting.actor.id === subjectId)) {
    throw new Error("only the person themself reaches their whole record");
  }
  const narrow = (cipher: SubjectCipher) =>
    options.whole === true ? fieldView(cipher, "whole") : viewOf(cipher, decision);
  const scope: UseScope = {
    trx,
    acting,
    use,
    decision,
    now,
    pack,
    policy,
    subject,
    audience,
    audienceParts,
    audienceRows,
    async view() {
      if (subjectId === null) throw new Error("a use about no one person on record has no subject view");
      const cipher = await deps.vault.cipherFor(trx, subjectId);
      // A live record always has its key: erasure destroys both in one transaction.
      if (cipher === null) throw new Error(`subject ${subjectId} has no data key`);
      return narrow(cipher);
    },
    narrow,
    record: (...more) => void events.push(...more),
    created: (id) => void (about = { ...event, subjectId: id }),
    recordAnyway: (...more) => void anyway.push(...more),
  };
  return { ok: true, scope, decided: event, event: () => about, events, anyway };
}

const notFound: Refusal = { kind: "not_found" };

function refusalAnswer(decision: Decision, target: Target, options: UseOptions): Refusal | null {
  // The person giving their own data at sign-up is told that their age stopped it (Z16-15).
  if ("given" in target && decision.reasons[0]?.rule === RULE.minimumAge && decision.outcome === "deny")
    return { kind: "under_age", decision };
  const refusal = refusalOf(decision);
  // A module may tell a refusal in its own words, even one that depends on the person, where the
  // caller already holds what it would reveal (a payment method's own permission, ZM-14).
  const told = refusal === null || options.tell === undefined ? null : options.tell(decision);
  return told === null ? refusal : { kind: "error", error: told };
}

class WorkRefused extends Error {
  constructor(
    readonly result: Result<unknown>,
    /** What is audited of the refused work: the decision and the events recorded anyway. */
    readonly audited: AuditEvent[],
  ) {
    super("the work of a use refused");
  }
}
