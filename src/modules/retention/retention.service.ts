import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import type { AuditEvent } from "../../audit/audit.events.ts";
import { PledgeError } from "../../errors.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { auditActor, type Acting } from "../../use/acting.ts";
import {
  cutoffOf,
  countDueBySubject,
  deleteDue,
  dueSubjectCounts,
  dueSubjects,
  dueTotals,
  findRun,
  insertRun,
  lockRun,
  recentRuns,
  runningRun,
  saveProgress,
  type RunRow,
} from "./retention.repository.ts";
import {
  DEFAULT_BATCH,
  RETENTION_ITEMS,
  retentionRules,
  type ItemReport,
  type RetentionItem,
  type RetentionRun,
  type RunReport,
} from "./retention.ts";
import "./retention.events.ts";

export interface RetentionDeps {
  readonly db: Kysely<Database>;
  readonly clock: () => Date;
  /** The policy version in force at an instant. */
  readonly packAt: (instant: string) => PolicyPack;
  /** Subjects per transaction; default DEFAULT_BATCH. */
  readonly batchSize?: number;
  /**
   * Called inside each batch's transaction after its erasures and before its progress is saved
   * (tests throw here to stop a run half way, as a crash would).
   */
  readonly beforeCommit?: (batch: number) => void;
}

export interface RunOptions {
  readonly dryRun?: boolean;
  /** Stop after this many batches, leaving the run unfinished for the next call to resume. */
  readonly maxBatches?: number;
}

interface Cutoff {
  readonly item: RetentionItem;
  readonly cutoff: Date;
}

/**
 * Runs retention (docs/retention.md). A dry run reads counts and changes nothing, stores nothing
 * and writes no audit event. Otherwise the unfinished run is resumed (its `asOf` and policy
 * version kept), or a new one starts measuring from the clock now.
 *
 * Contract: each batch of subjects is ONE transaction that erases their items past the period,
 * writes one `retention.erased` event per subject (and `retention.held` per subject passed over
 * for a legal hold), and moves the run's cursor past them. A crash rolls the batch back whole, so
 * a resumed run starts exactly after the last committed batch: nothing is erased twice and no
 * subject is skipped. Batches of one run never overlap, on any node: each locks the run row.
 */
export async function runRetention(
  deps: RetentionDeps,
  acting: Acting,
  options: RunOptions = {},
): Promise<RetentionRun> {
  if (options.dryRun === true) return dryRun(deps, acting);
  let run = await startOrResume(deps, acting);
  const cutoffs = cutoffsOf(run);
  for (let done = 0; options.maxBatches === undefined || done < options.maxBatches; done++) {
    const finished = await runBatch(deps, run.run_id, cutoffs, acting);
    if (finished) break;
  }
  run = (await findRun(deps.db, run.run_id))!;
  return viewOf(run, deps.packAt(run.as_of.toISOString()));
}

export async function getRun(
  deps: Pick<RetentionDeps, "db" | "packAt">,
  runId: string,
): Promise<RetentionRun> {
  const run = await findRun(deps.db, runId);
  if (run === null) throw new PledgeError("PLEDGE_NOT_FOUND", `no retention run ${runId}`);
  return viewOf(run, deps.packAt(run.as_of.toISOString()));
}

/** The latest runs, newest first. */
export async function listRuns(
  deps: Pick<RetentionDeps, "db" | "packAt">,
  limit: number,
): Promise<RetentionRun[]> {
  return (await recentRuns(deps.db, limit)).map((r) => viewOf(r, deps.packAt(r.as_of.toISOString())));
}

async function startOrResume(deps: RetentionDeps, acting: Acting): Promise<RunRow> {
  const existing = await runningRun(deps.db, false);
  if (existing !== null) return existing;
  const now = deps.clock();
  const pack = deps.packAt(now.toISOString());
  const { rules, unenforced } = retentionRules(pack);
  const items: ItemReport[] = [];
  for (const rule of rules) {
    items.push({
      ...rule,
      cutoff: (await itemCutoff(deps.db, now, pack, rule.periods)).toISOString(),
      erased: 0,
      keptByHold: 0,
    });
  }
  const row = {
    run_id: randomUUID(),
    status: "running" as const,
    as_of: now,
    policy_version: pack.version,
    started_by: auditActor(acting.actor),
    started_at: now,
    finished_at: null,
    cursor: null,
    batches: 0,
    report: { items, subjects: 0, heldSubjects: 0, unenforced },
  };
  try {
    await deps.db.transaction().execute(async (trx) => {
      await insertRun(trx, row);
      await appendAudit(trx, [
        {
          type: "retention.started",
          at: now,
          actor: row.started_by,
          subjectId: null,
          payload: { runId: row.run_id, asOf: now.toISOString(), policyVersion: pack.version },
        },
      ]);
    });
  } catch (error) {
    // Another node started one at the same moment (one unfinished run at a time): resume that one.
    const other = await runningRun(deps.db, false);
    if (other !== null) return other;
    throw error;
  }
  return (await findRun(deps.db, row.run_id))!;
}

/** The cutoff of an item: the earliest of its periods' (the longest period wins). */
async function itemCutoff(db: Kysely<Database>, asOf: Date, pack: PolicyPack, periods: readonly string[]) {
  let earliest: Date | null = null;
  for (const p of periods) {
    const c = await cutoffOf(db, asOf, pack.time_zone, p);
    if (earliest === null || c < earliest) earliest = c;
  }
  return earliest!;
}

/** A run's cutoffs, fixed when it started. */
function cutoffsOf(run: RunRow): Cutoff[] {
  return reportOf(run).items.map((i) => ({ item: i.item, cutoff: new Date(i.cutoff) }));
}

function reportOf(run: RunRow): RunReport {
  return (typeof run.report === "string" ? JSON.parse(run.report) : run.report) as RunReport;
}

const noItems = (): Record<RetentionItem, string[]> =>
  Object.fromEntries(RETENTION_ITEMS.map((i) => [i, []])) as unknown as Record<RetentionItem, string[]>;

/** One batch in one transaction; true when the run has nothing left (and is now finished). */
async function runBatch(
  deps: RetentionDeps,
  runId: string,
  cutoffs: readonly Cutoff[],
  acting: Acting,
): Promise<boolean> {
  const actor = auditActor(acting.actor);
  return deps.db.transaction().execute(async (trx) => {
    const run = await lockRun(trx, runId);
    if (run === null || run.status === "finished") return true;
    const now = deps.clock();
    const report = reportOf(run);
    const subjects = await dueSubjects(trx, cutoffs, run.cursor, deps.batchSize ?? DEFAULT_BATCH);
    if (subjects.length === 0) {
      await saveProgress(trx, runId, { cursor: run.cursor, batches: run.batches, report, finishedAt: now });
      const erased = report.items.reduce((n, i) => n + i.erased, 0);
      await appendAudit(trx, [
        {
          type: "retention.finished",
          at: now,
          actor,
          subjectId: null,
          payload: { runId, subjects: report.subjects, heldSubjects: report.heldSubjects, erased },
        },
      ]);
      return true;
    }
    const free = subjects.filter((s) => !s.held).map((s) => s.subjectId);
    const heldIds = subjects.filter((s) => s.held).map((s) => s.subjectId);
    const gone = new Map<string, Record<RetentionItem, string[]>>();
    const heldItems = new Map<string, number>();
    for (const { item, cutoff } of cutoffs) {
      const entry = report.items.find((i) => i.item === item)!;
      const rows = await deleteDue(trx, item, free, cutoff);
      entry.erased += rows.length;
      for (const r of rows) {
        let g = gone.get(r.subject_id);
        if (g === undefined) gone.set(r.subject_id, (g = noItems()));
        g[item].push(r.id);
      }
      for (const [s, n] of await countDueBySubject(trx, item, heldIds, cutoff)) {
        entry.keptByHold += n;
        heldItems.set(s, (heldItems.get(s) ?? 0) + n);
      }
    }
    report.subjects += gone.size;
    report.heldSubjects += heldIds.length;
    const events: AuditEvent[] = [];
    for (const [subjectId, g] of gone) {
      events.push({ type: "retention.erased", at: now, actor, subjectId, payload: { runId, ...g } });
    }
    for (const [subjectId, items] of heldItems) {
      events.push({ type: "retention.held", at: now, actor, subjectId, payload: { runId, items } });
    }
    await appendAudit(trx, events);
    deps.beforeCommit?.(run.batches + 1);
    await saveProgress(trx, runId, {
      cursor: subjects[subjects.length - 1]!.subjectId,
      batches: run.batches + 1,
      report,
      finishedAt: null,
    });
    return false;
  });
}

async function dryRun(deps: RetentionDeps, acting: Acting): Promise<RetentionRun> {
  const now = deps.clock();
  const pack = deps.packAt(now.toISOString());
  const { rules, unenforced } = retentionRules(pack);
  const items: ItemReport[] = [];
  const cutoffs: Cutoff[] = [];
  for (const rule of rules) {
    const cutoff = await itemCutoff(deps.db, now, pack, rule.periods);
    const totals = await dueTotals(deps.db, rule.item, cutoff);
    cutoffs.push({ item: rule.item, cutoff });
    items.push({
      ...rule,
      cutoff: cutoff.toISOString(),
      erased: totals.due - totals.held,
      keptByHold: totals.held,
    });
  }
  const subjects = await dueSubjectCounts(deps.db, cutoffs);
  return {
    id: null,
    dryRun: true,
    status: "finished",
    asOf: now.toISOString(),
    policyVersion: pack.version,
    timeZone: pack.time_zone,
    startedBy: auditActor(acting.actor),
    startedAt: now.toISOString(),
    finishedAt: now.toISOString(),
    batches: 0,
    report: { items, subjects: subjects.subjects, heldSubjects: subjects.held, unenforced },
  };
}

function viewOf(run: RunRow, pack: PolicyPack): RetentionRun {
  const report = reportOf(run);
  return {
    id: run.run_id,
    dryRun: false,
    status: run.status,
    asOf: run.as_of.toISOString(),
    policyVersion: run.policy_version,
    timeZone: pack.time_zone,
    startedBy: run.started_by,
    startedAt: run.started_at.toISOString(),
    finishedAt: run.finished_at?.toISOString() ?? null,
    batches: run.batches,
    report,
  };
}
