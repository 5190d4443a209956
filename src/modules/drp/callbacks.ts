import type { FastifyBaseLogger } from "fastify";
import type { Kysely } from "kysely";
import type { Database } from "../../store/database.ts";
import type { RequestView } from "../requests/requests.ts";
import { findRequest } from "./drp.repository.ts";
import { presentStatus } from "./status.ts";

/**
 * Status callbacks (DRP 2.03): when an agent's request changes state and the agent gave a
 * `status_callback`, its Exercise Status is POSTed there. Best effort and never in the way of the
 * change: `changed` returns at once; a failed delivery (no answer, or not 2xx) is tried again
 * after each of `delaysMs`; a newer status of the same request supersedes one still being tried,
 * so the last delivered is the latest. Only http(s) URLs were ever stored (drp.ts `callbackUrl`).
 */
export interface CallbackOptions {
  readonly db: Kysely<Database>;
  readonly log: FastifyBaseLogger;
  /** The request as it is now; null when there is none. */
  readonly read: (requestId: string) => Promise<RequestView | null>;
  /** Waits before the 2nd, 3rd, … attempt. */
  readonly delaysMs?: readonly number[];
  /** How long one attempt may take. */
  readonly timeoutMs?: number;
}

export const DEFAULT_CALLBACK_DELAYS_MS = [1_000, 10_000, 60_000, 300_000] as const;

export class StatusCallbacks {
  private readonly latest = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stop = new AbortController();
  private generation = 0;

  constructor(private readonly opts: CallbackOptions) {}

  /** Schedules delivery of the request's status as it is now; never throws, never waits. */
  changed(requestId: string): void {
    if (this.stop.signal.aborted) return;
    const generation = ++this.generation;
    this.latest.set(requestId, generation);
    const delivery = this.deliver(requestId, generation).catch((error: unknown) => {
      this.opts.log.warn({ errName: (error as Error).name, requestId }, "status callback failed");
    });
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  /** Stops retrying and waits for the attempts under way. */
  async close(): Promise<void> {
    this.stop.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(requestId: string, generation: number): Promise<void> {
    const row = await findRequest(this.opts.db, requestId);
    const url = row?.status_callback ?? null;
    if (url === null || row?.not_covered === true) return;
    const view = await this.opts.read(requestId);
    if (view === null) return;
    const body = JSON.stringify(presentStatus(view));
    const delays = this.opts.delaysMs ?? DEFAULT_CALLBACK_DELAYS_MS;
    for (let attempt = 0; ; attempt += 1) {
      if (this.stop.signal.aborted || this.latest.get(view.id) !== generation) return;
      if (await this.post(url, body)) break;
      const wait = delays[attempt];
      if (wait === undefined) {
        this.opts.log.warn({ requestId: view.id, attempts: attempt + 1 }, "status callback not delivered");
        break;
      }
      await sleep(wait, this.stop.signal);
    }
    if (this.latest.get(view.id) === generation) this.latest.delete(view.id);
  }

  private async post(url: string, body: string): Promise<boolean> {
    const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 10_000);
    try {
      const answer = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        redirect: "error",
        signal: AbortSignal.any([timeout, this.stop.signal]),
      });
      await answer.body?.cancel(); // the agent's answer is not read (§2.03.1)
      return answer.ok;
    } catch {
      return false;
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
