import type { Kysely } from "kysely";
import type { Database } from "../../store/database.ts";
import { insertPageViews, type PageViewRow } from "./analytics.repository.ts";

/** Rows per INSERT at most: a busier queue is written in several statements. */
const MAX_BATCH = 5000;

/**
 * Group commit for page views: a hit waits until its row is committed, but hits that arrive
 * together are written by one INSERT. The first hit schedules a flush after the requests already
 * read from the sockets have been handled (`setImmediate`), so they join its batch; while an INSERT
 * is in flight (PGlite runs it on the event loop, PostgreSQL over the wire) new hits queue for the
 * next one. One statement per batch instead of one commit per hit is what lets ingest keep up with
 * a busy site; nothing is answered before it is stored. A failed batch fails every hit in it.
 */
export class PageViewWriter {
  private pending: { row: PageViewRow; done: (error?: unknown) => void }[] = [];
  private flushing = false;
  /** Statements written so far (the tests check that concurrent hits share them). */
  batches = 0;

  constructor(private readonly db: Kysely<Database>) {}

  write(row: PageViewRow): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ row, done: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_BATCH);
      this.batches += 1;
      try {
        await insertPageViews(
          this.db,
          batch.map((b) => b.row),
        );
        for (const b of batch) b.done();
      } catch (error) {
        for (const b of batch) b.done(error);
      }
      // Let the requests that arrived during the INSERT reach `write` before the next batch.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.flushing = false;
  }
}
