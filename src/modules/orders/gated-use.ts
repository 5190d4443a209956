import type { Kysely, Transaction } from "kysely";
import type { DecisionSummary } from "../../audit/audit.events.ts";
import { appendAudit } from "../../audit/append.ts";
import type { SubjectCipher, Vault } from "../../crypto/vault.types.ts";
import { decide } from "../../gate/decide.ts";
import { loadSubjectFacts } from "../../gate/facts.ts";
import { RULE } from "../../gate/reasons.ts";
import type { Action, Actor, Decision, SubjectFacts, Use } from "../../gate/types.ts";
import { PledgeError } from "../../http/errors.ts";
import type { PolicyBook } from "../../http/policies.ts";
import { unknownName } from "../../http/vocabulary.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { ADMIN_ROLE, type Caller } from "../staff/staff.ts";

/** What the record modules (orders, payments, communications, surveys) are built from. */
export interface RecordsDeps {
  readonly db: Kysely<Database>;
  readonly book: PolicyBook;
  readonly vault: Vault;
  readonly clock: () => Date;
  /** The region this deployment stores and processes data in (gate rule 1). */
  readonly region: string;
}

/** A use of one subject's record, as a module states it; the actor and instant are added here. */
export interface RecordUse {
  readonly action: Action;
  readonly purpose: string;
  readonly fields: readonly string[];
  readonly ground?: string;
  readonly caseId?: string;
  readonly aggregate?: boolean;
  readonly projection?: boolean;
}

/** An allowed use: the decision (its `fields` are what may leave) and the version in force. */
export interface Granted {
  readonly decision: Decision;
  readonly at: Date;
  readonly pack: PolicyPack;
  readonly policyVersion: string;
}

export interface GateOptions {
  /** Adjusts the person's facts for this use (e.g. a permission that does not cover this record). */
  readonly facts?: (subject: SubjectFacts) => SubjectFacts;
  /** Answers a denied decision in a module's own words; null falls back to `refusal`. */
  readonly tell?: (decision: Decision) => PledgeError | null;
}

/** An expected outcome: a value, or the refusal to answer with (never thrown inside a transaction). */
export type Outcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: PledgeError };

export const refused = (error: PledgeError): { ok: false; error: PledgeError } => ({ ok: false, error });

/**
 * Asks the gate about one use of `subjectId`'s record (or of nobody's, for aggregates: null) and
 * writes the decision to the audit log in `trx`, the transaction that then reads or writes the
 * record. Returns a refusal as a value: the caller commits (so the refusal stays audited) and
 * then answers with the error. Refusals that do not depend on the person (gate rules 1–16) are
 * 403 naming the clauses; those that do (17+), and unknown subjects, are the same 404 as a record
 * that does not exist, while the audit row keeps the real reason. A name the pack does not know
 * is a 400 and writes nothing.
 */
export async function gateUse(
  trx: Transaction<Database>,
  deps: RecordsDeps,
  caller: Caller,
  subjectId: string | null,
  asked: RecordUse,
  options: GateOptions = {},
): Promise<Outcome<Granted>> {
  const facts = options.facts ?? ((s: SubjectFacts) => s);
  const at = deps.clock();
  const instant = at.toISOString();
  const { pack, policy } = deps.book.at(instant);
  const use: Use = { ...asked, actor: actorOf(caller), at: instant };
  const unknown = unknownName(pack, use);
  if (unknown) return { ok: false, error: unknown };
  const subject = subjectId === null ? null : await loadSubjectFacts(trx, subjectId, instant);
  const decision = decide(
    policy,
    {
      subject: subject === null ? null : facts(subject),
      actorAttested: caller.attested,
      recipientContractOnFile: null,
      deploymentRegion: deps.region,
    },
    use,
  );
  await appendAudit(trx, [
    {
      type: "decision",
      at,
      actor: `staff:${caller.staffId}`,
      subjectId,
      payload: summarise(use, decision),
    },
  ]);
  if (decision.outcome !== "deny") {
    return { ok: true, value: { decision, at, pack, policyVersion: decision.policy.version } };
  }
  return { ok: false, error: options.tell?.(decision) ?? refusal(decision) };
}

/**
 * Runs `work` in one transaction after the gate allowed `use` of `subjectId`'s record, with the
 * subject's cipher: the decision's audit row commits with the read or write, refusals included.
 * An erased subject (key destroyed) is not found. Returns the outcome; throws only on failures.
 */
export async function inUse<T>(
  deps: RecordsDeps,
  caller: Caller,
  subjectId: string,
  use: RecordUse,
  work: (trx: Transaction<Database>, granted: Granted, cipher: SubjectCipher) => Promise<Outcome<T>>,
  options?: GateOptions,
): Promise<Outcome<T>> {
  return deps.db.transaction().execute(async (trx) => {
    const gated = await gateUse(trx, deps, caller, subjectId, use, options);
    if (!gated.ok) return gated;
    const cipher = await deps.vault.cipherFor(trx, subjectId);
    if (cipher === null) return refused(notFound());
    return work(trx, gated.value, cipher);
  });
}

/** The value of an outcome, or its refusal thrown: for routes, after the transaction committed. */
export function valueOf<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/** The error a denied decision answers with (see gateUse). */
export function refusal(decision: Decision): PledgeError {
  const first = decision.reasons[0];
  if (first === undefined || first.rule >= RULE.subjectKnown) return notFound();
  return new PledgeError("PLEDGE_USE_REFUSED", `${first.code}: ${first.detail}`, clausesOf(decision));
}

export function clausesOf(decision: Decision): string[] {
  return [...new Set(decision.reasons.flatMap((r) => (r.clause === null ? [] : [r.clause])))];
}

export function notFound(): PledgeError {
  return new PledgeError("PLEDGE_NOT_FOUND", "not found");
}

/** The record fields among `fields` that the pack in force names; the others cannot be used. */
export function knownFields(pack: PolicyPack, fields: readonly string[]): string[] {
  const known = new Set(pack.categories.flatMap((c) => c.fields));
  return fields.filter((f) => known.has(f));
}

/** Keys of a pack role act as that staff member; admin keys act as the system (an integration). */
export function actorOf(caller: Caller): Actor {
  return caller.role === ADMIN_ROLE
    ? { kind: "system", id: caller.staffId }
    : { kind: "staff", id: caller.staffId, role: caller.role };
}

function summarise(use: Use, d: Decision): DecisionSummary {
  return {
    outcome: d.outcome,
    purpose: use.purpose,
    action: use.action,
    recipient: use.recipient ?? null,
    clauses: clausesOf(d),
    policy: { company: d.policy.company, version: d.policy.version },
    fields: [...d.fields],
    removed: [...d.removed],
  };
}
