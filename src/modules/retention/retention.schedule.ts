import { createHash } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import type PgBoss from "pg-boss";
import { startBoss, type Boss } from "../../jobs/boss.ts";
import type { Store } from "../../store/store.ts";
import { systemActing } from "../../use/acting.ts";
import { runRetention, type RetentionDeps } from "./retention.service.ts";

export const RETENTION_QUEUE = "retention-run";

/**
 * The daily retention run, on pg-boss over the app's store: one job per day at `hour` o'clock in
 * the pack's time zone. Each job's id is derived from its day, so every node may schedule the same
 * day and only one job exists; the job's worker runs retention (resuming an unfinished run) and
 * schedules the next day. A failed job is retried by pg-boss; the run itself resumes where it
 * stopped, so a retry never erases twice.
 */
export interface RetentionSchedule {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createRetentionSchedule(opts: {
  readonly store: Store;
  readonly deps: RetentionDeps;
  readonly hour: number;
  readonly logger: FastifyBaseLogger;
  readonly pollingSeconds?: number;
}): RetentionSchedule {
  let boss: Boss | null = null;
  const { deps } = opts;

  async function scheduleNext(): Promise<void> {
    const now = deps.clock();
    const next = nextRunAt(now, deps.packAt(now.toISOString()).time_zone, opts.hour);
    await boss!.send(
      RETENTION_QUEUE,
      {},
      { id: dayId(next), startAfter: next, retryLimit: 5, retryDelay: 60 },
    );
  }

  return {
    async start() {
      boss = await startBoss(opts.store, {
        onError: (error) => opts.logger.error({ err: { message: error.message } }, "retention queue error"),
        ...(opts.pollingSeconds === undefined ? {} : { pollingSeconds: opts.pollingSeconds }),
      });
      await boss.createQueue(RETENTION_QUEUE, { name: RETENTION_QUEUE } as PgBoss.Queue);
      await boss.work(
        RETENTION_QUEUE,
        { batchSize: 1, pollingIntervalSeconds: opts.pollingSeconds ?? 2 },
        async () => {
          const run = await runRetention(deps, systemActing("retention"));
          opts.logger.info({ runId: run.id, subjects: run.report.subjects }, "retention run finished");
          await scheduleNext();
        },
      );
      await scheduleNext();
    },
    async stop() {
      await boss?.stop({ graceful: true, wait: true, timeout: 10_000 });
    },
  };
}

/** The first instant after `now` that is `hour`:00 in `timeZone`. */
export function nextRunAt(now: Date, timeZone: string, hour: number): Date {
  // Walk forward hour by hour (at most 49 steps) to the first one whose local hour is `hour`.
  const fmt = new Intl.DateTimeFormat("en-US", { timeZone, hour: "numeric", hourCycle: "h23" });
  let t = Math.ceil((now.getTime() + 1) / 3_600_000) * 3_600_000;
  for (let i = 0; i < 49; i++, t += 3_600_000) {
    if (Number(fmt.format(new Date(t))) === hour) return new Date(t);
  }
  return new Date(t);
}

/** A UUID named by the run's instant: the same day's job has the same id on every node. */
function dayId(at: Date): string {
  const h = createHash("sha256").update(`retention:${at.toISOString()}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
