import type { Kysely } from "kysely";
import type { Database } from "../../store/database.ts";
import { insertPageViews, type PageViewRow } from "./analytics.repository.ts";

/** Rows per INSERT at most: a busier queue is written in several statements. */
const MAX_BATCH = 5000;

/**
 * Group commit for page views: a hit waits until its row is committed, but hits that arrive
 * together are written by one INSERT. The first hit schedules a flush after the requests already
 * read from the sockets have been handled (`setImmediate`), so they join its batch; hits that
 * arrive while INSERTs are in flight queue for the next one. Up to `inFlight` INSERTs run at once:
 * on PostgreSQL each waits for its commit to reach the disk, so several in flight keep the server
 * busy (its own group commit flushes them together); PGlite runs one statement at a time on the
 * event loop, so there one is enough and bigger batches are better. One statement per batch
 * instead of one commit per hit is what lets ingest keep up with a busy site; nothing is answered
 * before it is stored. A failed batch fails every hit in it.
 */
export class PageViewWriter {
  private pending: { row: PageViewRow; done: (error?: unknown) => void }[] = [];
  private running = 0;
  private scheduled = false;
  /** Statements written so far (the tests check that concurrent hits share them). */
  batches = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly inFlight = 1,
  ) {}

  write(row: PageViewRow): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ row, done: (error) => (error === undefined ? resolve() : reject(error)) });
      this.schedule();
    });
  }

  /** Starts a flush after the requests already read, unless one is due or every slot is busy. */
  private schedule(): void {
    if (this.scheduled || this.running >= this.inFlight || this.pending.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.running >= this.inFlight || this.pending.length === 0) return;
    const batch = this.pending.splice(0, MAX_BATCH);
    this.running += 1;
    this.batches += 1;
    try {
      await insertPageViews(
        this.db,
        batch.map((b) => b.row),
      );
      for (const b of batch) b.done();
    } catch (error) {
      for (const b of batch) b.done(error);
    } finally {
      this.running -= 1;
    }
    // The requests that arrived during the INSERT reach `write` before the next batch is taken.
    this.schedule();
  }
}
