import type { Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import type { AuditEvent } from "../../audit/audit.events.ts";
import type { Decision } from "../../gate/types.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { askGate, decisionEvent, refusalOf, type Ask } from "./subjects.gate.ts";
import { loadSubjectFacts } from "../../gate/facts.ts";
import type { SubjectFacts } from "../../gate/types.ts";
import { findLiveSubject, findLiveSubjectWithFacts, type SubjectRow } from "./subjects.repository.ts";
import type { SubjectsDeps } from "./subjects.service.ts";
import { fail, ok, type Acting, type Refusal, type Result } from "./subjects.ts";

export interface UseContext {
  readonly trx: Transaction<Database>;
  readonly subject: SubjectRow;
  readonly decision: Decision;
  readonly now: Date;
  readonly pack: PolicyPack;
}

/** What `work` gives back: the value and its audit events, or a refusal (nothing it wrote may stay). */
export type WorkResult<T> =
  { readonly value: T; readonly events?: readonly AuditEvent[] } | { readonly refusal: Refusal };

export interface UseOptions {
  /** Lock the subject row (writes). */
  readonly lock?: boolean;
  /** The version the caller last saw (If-Match); a different current version answers `stale`. */
  readonly expectedVersion?: number;
}

/**
 * The one path every use of an existing record takes, in one transaction: load the live record
 * and the person's facts, ask the gate, write the `decision` audit event with the subject id, and
 * only when allowed run `work`, whose own audit events commit with it. A refusal is audited and
 * returned as a value; "no such subject" and a refusal that depends on the person are both
 * `not_found`. An erased subject is no subject.
 */
export async function useSubject<T>(
  deps: SubjectsDeps,
  acting: Acting,
  subjectId: string,
  ask: Omit<Ask, "at">,
  work: (ctx: UseContext) => Promise<WorkResult<T>>,
  options: UseOptions = {},
): Promise<Result<T>> {
  const now = deps.clock();
  const at = now.toISOString();
  const { pack, policy } = deps.policies.at(at);
  let audited: AuditEvent | null = null;
  try {
    return await deps.db.transaction().execute(async (trx) => {
      // A write locks the row first and then reads the facts, so a change that held the lock is
      // seen; a read takes both in one statement.
      let subject: SubjectRow | null;
      let facts: SubjectFacts | null;
      if (options.lock === true) {
        subject = await findLiveSubject(trx, subjectId, true);
        facts = subject === null ? null : await loadSubjectFacts(trx, subjectId, at);
      } else {
        const found = await findLiveSubjectWithFacts(trx, subjectId, at);
        subject = found?.subject ?? null;
        facts = found?.facts ?? null;
      }
      const { use, decision } = askGate(policy, deps.region, acting, facts, { ...ask, at });
      audited = decisionEvent(acting, subjectId, use, decision);
      const refusal = refusalOf(decision) ?? (subject === null ? { kind: "not_found" as const } : null);
      if (refusal !== null || subject === null) {
        await appendAudit(trx, [audited]);
        return fail<T>(refusal ?? { kind: "not_found" });
      }
      if (options.expectedVersion !== undefined && options.expectedVersion !== subject.version) {
        await appendAudit(trx, [audited]);
        return fail<T>({ kind: "stale", version: subject.version });
      }
      const done = await work({ trx, subject, decision, now, pack });
      // A refusal found by `work` undoes whatever it wrote; the decision is still recorded below.
      if ("refusal" in done) throw new WorkRefused(done.refusal);
      await appendAudit(trx, [audited, ...(done.events ?? [])]);
      return ok(done.value);
    });
  } catch (error) {
    if (!(error instanceof WorkRefused) || audited === null) throw error;
    const event: AuditEvent = audited;
    await deps.db.transaction().execute((trx) => appendAudit(trx, [event]));
    return fail<T>(error.refusal);
  }
}

class WorkRefused extends Error {
  constructor(readonly refusal: Refusal) {
    super(`refused: ${refusal.kind}`);
  }
}
