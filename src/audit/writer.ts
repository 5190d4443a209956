import type { Kysely } from "kysely";
import type { Database } from "../store/database.ts";
import type { AuditEvent, AuditRow } from "./audit.events.ts";
import { appendAfter, appendAudit, byChain, readHead, type ChainBatch, type ChainHead } from "./append.ts";
import { chainLayout } from "./chains.ts";

export interface AuditWriterOptions {
  /** Most events written by one commit (default 1000). More wait for the next commit. */
  readonly maxBatch?: number;
  /** Called after each batch with the number of events it committed (for metrics and tests). */
  readonly onCommit?: (events: number) => void;
}

/**
 * Appends events that have no transaction of their own, with group commit: `append()` queues
 * the event; one flush at a time writes everything queued in ONE transaction and resolves each
 * promise only after that transaction has committed (the row is durable when it resolves). While
 * a commit is in flight, new events gather for the next one, so many concurrent appenders share a
 * commit instead of paying one each. If a commit fails, every event in it is rejected.
 *
 * A batch is split by chain (chains.ts); the chains are written side by side, each in its own
 * transaction. The writer remembers the head of each chain it last wrote, so a chain's part is one
 * statement that moves the head only if it is still where the writer left it (`appendAfter`).
 * When another appender moved it (a module appending in its own transaction, another node), that
 * part is written again on the locked path, which reads the head under lock.
 */
export interface AuditWriter {
  append(event: AuditEvent): Promise<AuditRow>;
  /** Resolves once everything appended before the call has been committed (or rejected). */
  flush(): Promise<void>;
  /** Flushes, then refuses further appends. */
  close(): Promise<void>;
}

interface Pending {
  event: AuditEvent;
  resolve: (row: AuditRow) => void;
  reject: (error: unknown) => void;
}

export function createAuditWriter(db: Kysely<Database>, options: AuditWriterOptions = {}): AuditWriter {
  const maxBatch = options.maxBatch ?? 1000;
  let queue: Pending[] = [];
  let running: Promise<void> | null = null;
  let closed = false;
  const heads = new Map<number, ChainHead>();

  /** Writes one chain's part of a batch; the rows in the order of its events. */
  async function write(part: ChainBatch): Promise<AuditRow[]> {
    const { chain, anchor } = part.chain;
    try {
      const head = heads.get(chain) ?? (await readHead(db, anchor));
      const rows =
        (await appendAfter(db, head, part.events)) ??
        (await db.transaction().execute((trx) => appendAudit(trx, part.events)));
      const last = rows[rows.length - 1]!;
      heads.set(chain, { chain, anchor, seq: last.seq, hash: last.hash });
      return rows;
    } catch (error) {
      heads.delete(chain); // unknown after a failure: read it again
      throw error;
    }
  }

  /** Commits batches until the queue is empty. Only one runs at a time. */
  async function drain(): Promise<void> {
    // Let appends made in the same tick join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const parts = byChain(
          await chainLayout(db),
          batch.map((p) => p.event),
        );
        const written = await Promise.allSettled(parts.map(write));
        let rows = 0;
        written.forEach((result, i) => {
          const part = parts[i]!;
          part.places.forEach((place, j) => {
            const p = batch[place]!;
            if (result.status === "fulfilled") p.resolve(result.value[j]!);
            else p.reject(result.reason);
          });
          if (result.status === "fulfilled") rows += result.value.length;
        });
        if (rows > 0) options.onCommit?.(rows);
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
  }

  function kick(): Promise<void> {
    running ??= drain().finally(() => {
      running = null;
      if (queue.length > 0) void kick();
    });
    return running;
  }

  async function flush(): Promise<void> {
    while (running !== null || queue.length > 0) await kick();
  }

  return {
    append(event) {
      if (closed) return Promise.reject(new Error("audit writer is closed"));
      const done = new Promise<AuditRow>((resolve, reject) => queue.push({ event, resolve, reject }));
      void kick();
      return done;
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
  };
}
