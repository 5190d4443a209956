import type { Kysely } from "kysely";
import type { PolicyBook } from "../../policy/book.ts";
import type { Database } from "../../store/database.ts";
import type { PolicyVersion } from "../../policy/history.ts";
import { parsePackSource } from "../../policy/load.ts";
import { storedSource } from "../../policy/publish.ts";
import { listStored, storedMarker, type StoredVersion } from "./versions.repository.ts";
import type { PolicyPack } from "../../policy/schema.ts";

/** How often a node looks for versions published through another node, by default. */
export const POLICY_POLL_MS = 2_000;

/**
 * Keeps a `PolicyBook` in step with `policy_versions`. `sync()` costs one small query when
 * nothing changed (`storedMarker`) and reparses only versions it has not seen (by SHA-256), so
 * every version keeps one pack object and one compiled policy for the life of the process.
 */
export class PublishedSync {
  private marker: string | null = null;
  private readonly parsed = new Map<string, PolicyPack>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<boolean> | null = null;
  /** Bumped by `add`: a load that started before it must not overwrite what it added. */
  private generation = 0;

  constructor(
    private readonly db: Kysely<Database>,
    readonly book: PolicyBook,
  ) {}

  /** Loads the stored versions into the book when they changed. True when the book changed. */
  sync(): Promise<boolean> {
    this.running ??= this.load().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Adds a version just committed by this process without waiting for the next poll. */
  add(version: PolicyVersion, sha256: string): void {
    this.parsed.set(`${version.pack.version}\u0000${sha256}`, version.pack);
    this.book.setPublished([
      ...this.book.published.filter((v) => v.pack.version !== version.pack.version),
      version,
    ]);
    this.marker = null;
    this.generation++;
  }

  /** Polls every `intervalMs`; a failed poll is reported and the next one tries again. */
  start(intervalMs: number, onError: (error: unknown) => void): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      this.sync().catch(onError);
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** Stored rows as versions of the book, parsing each (version, content) once. */
  toVersions(rows: readonly StoredVersion[]): PolicyVersion[] {
    return rows.map((row): PolicyVersion => {
      const key = `${row.version}\u0000${row.sha256}`;
      let pack = this.parsed.get(key);
      if (pack === undefined) {
        pack = parsePackSource(row.yaml, storedSource(row.version)).pack;
        this.parsed.set(key, pack);
      }
      return { pack, file: storedSource(row.version), from: row.effectiveAt.getTime() };
    });
  }

  private async load(): Promise<boolean> {
    const db = this.db;
    const company = this.book.files.company;
    const generation = this.generation;
    const marker = await storedMarker(db, company);
    if (marker === this.marker) return false;
    const versions = this.toVersions(await listStored(db, company));
    if (generation !== this.generation) return false;
    this.book.setPublished(versions);
    this.marker = marker;
    return true;
  }
}
