import type { FastifyBaseLogger } from "fastify";
import type PgBoss from "pg-boss";
import { startBoss, type Boss } from "../../jobs/boss.ts";
import { startNode, type NodeLiveness } from "../../jobs/nodes.ts";
import type { Store } from "../../store/store.ts";
import { BATCH, MAX_ATTEMPTS, SEND_QUEUE, type MessageRef, type SendJob } from "./campaigns.ts";
import { finishIfDone, recoverOrphans, sendingEmailCampaigns, sendMessage, type SendDeps } from "./send.ts";

/**
 * The send queue of one node: pg-boss on the app's store, started on first need (a send, or
 * campaigns found `sending` at start-up), so a node that never sends never starts it. With
 * `workers`, the node also takes jobs: each job is a batch of message ids of one campaign; a
 * message that must be tried again makes the job fail, and pg-boss retries it with backoff.
 */
export interface CampaignSender {
  /** Queues the sending of these messages (ids only). */
  enqueue(campaignId: string, messages: readonly MessageRef[]): Promise<void>;
  /** Start-up: if any campaign is being sent, start the queue, recover what a crash left, resume. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export interface SenderOptions {
  readonly store: Store;
  /** Everything one message needs, except the node id (filled in here). Null: this node only queues. */
  readonly send: Omit<SendDeps, "nodeId"> | null;
  readonly workers: number;
  readonly logger: FastifyBaseLogger;
  /** Seconds between polls of an idle queue; tests use the minimum. */
  readonly pollingSeconds?: number;
}

/** A job that still has messages to try again is retried with exponential backoff from 1 s. */
const RETRY = { retryLimit: MAX_ATTEMPTS + 2, retryDelay: 1, retryBackoff: true, expireInSeconds: 15 * 60 };

export function createCampaignSender(opts: SenderOptions): CampaignSender {
  const { store, logger } = opts;
  let started: Promise<{ boss: Boss; node: NodeLiveness }> | null = null;
  let stopping = false;

  const start = (): Promise<{ boss: Boss; node: NodeLiveness }> =>
    (started ??= (async () => {
      const node = await startNode(store);
      const boss = await startBoss(store, {
        onError: (error) => logger.error({ err: { message: error.message } }, "send queue error"),
        ...(opts.pollingSeconds === undefined ? {} : { pollingSeconds: opts.pollingSeconds }),
      });
      await boss.createQueue(SEND_QUEUE, { name: SEND_QUEUE, ...RETRY } as PgBoss.Queue);
      if (opts.send !== null) {
        const deps: SendDeps = { ...opts.send, nodeId: node.nodeId };
        for (let i = 0; i < opts.workers; i++) {
          await boss.work<SendJob>(
            SEND_QUEUE,
            { batchSize: 1, pollingIntervalSeconds: opts.pollingSeconds ?? 1 },
            async ([job]) => {
              if (job !== undefined) await runJob(deps, job.data);
            },
          );
        }
      }
      return { boss, node };
    })());

  async function runJob(deps: SendDeps, job: SendJob): Promise<void> {
    let retry = 0;
    const refs = "messages" in job ? job.messages : job.messageIds.map((messageId) => ({ messageId }));
    for (const ref of refs) {
      if (stopping) {
        retry++;
        continue;
      }
      const outcome = await sendMessage(deps, ref);
      if (outcome === "retry") retry++;
    }
    await finishIfDone(deps.db, job.campaignId, deps.clock);
    // pg-boss retries the job later, with backoff; messages already settled are not claimed again.
    if (retry > 0) throw new Error(`${retry} message(s) to try again`);
  }

  async function enqueue(campaignId: string, messages: readonly MessageRef[]): Promise<void> {
    const { boss } = await start();
    const jobs: PgBoss.JobInsert<SendJob>[] = [];
    for (let i = 0; i < messages.length; i += BATCH) {
      jobs.push({
        name: SEND_QUEUE,
        data: { campaignId, messages: messages.slice(i, i + BATCH) },
        ...RETRY,
      });
    }
    for (let i = 0; i < jobs.length; i += 500) await boss.insert(jobs.slice(i, i + 500));
  }

  return {
    enqueue,
    async resume() {
      const campaigns = await sendingEmailCampaigns(store.db);
      const orphans = await store.db
        .selectFrom("campaign_messages")
        .select("message_id")
        .where("state", "=", "sending")
        .limit(1)
        .execute();
      if (campaigns.length === 0 && orphans.length === 0) return;
      const { node } = await start();
      const { uncertain, queued } = await recoverOrphans(
        store.db,
        (id) => node.isGone(id),
        () => new Date(),
      );
      if (uncertain > 0) logger.warn({ uncertain }, "messages left uncertain by a stopped node");
      for (const [campaignId, ids] of queued) await enqueue(campaignId, ids);
      for (const campaignId of campaigns) await finishIfDone(store.db, campaignId, () => new Date());
    },
    async stop() {
      stopping = true;
      if (started === null) return;
      const { boss, node } = await started;
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
      await node.close();
    },
  };
}
