import type { Kysely } from "kysely";
import type { Database } from "../../store/database.ts";
import { insertPageViews, type PageViewRow } from "./analytics.repository.ts";

/**
 * Group commit for page views: a hit waits until its row is committed, but hits arriving while an
 * INSERT is in flight are written together by the next one. One statement per batch instead of
 * one commit per hit is what lets ingest keep up with a busy site; nothing is answered before it
 * is stored. A failed batch fails every hit in it.
 */
export class PageViewWriter {
  private pending: { row: PageViewRow; done: (error?: unknown) => void }[] = [];
  private flushing = false;

  constructor(private readonly db: Kysely<Database>) {}

  write(row: PageViewRow): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ row, done: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, 5000);
      try {
        await insertPageViews(
          this.db,
          batch.map((b) => b.row),
        );
        for (const b of batch) b.done();
      } catch (error) {
        for (const b of batch) b.done(error);
      }
    }
    this.flushing = false;
  }
}
