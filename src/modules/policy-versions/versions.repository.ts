import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "../../store/database.ts";

/** SQL for `policy_versions` only. */

export interface StoredVersion {
  readonly version: string;
  readonly yaml: string;
  readonly sha256: string;
  readonly effectiveAt: Date;
  readonly publishedAt: Date;
}

type Db = Kysely<Database> | Transaction<Database>;

/** Every version published for `company`, oldest instant first. */
export async function listStored(db: Db, company: string): Promise<StoredVersion[]> {
  const rows = await db
    .selectFrom("policy_versions")
    .select(["version", "yaml", "sha256", "effective_at", "published_at"])
    .where("company", "=", company)
    .orderBy("effective_at")
    .execute();
  return rows.map((r) => ({
    version: r.version,
    yaml: r.yaml,
    sha256: r.sha256,
    effectiveAt: new Date(r.effective_at),
    publishedAt: new Date(r.published_at),
  }));
}

/**
 * A cheap summary of what is stored for `company` (how many, the latest publication): nodes poll
 * it and reload only when it changes. Versions are never updated or deleted, so the pair changes
 * exactly when a version is added.
 */
export async function storedMarker(db: Db, company: string): Promise<string> {
  const { rows } = await sql<{ n: number; latest: string | null }>`
    select count(*)::int as n, max(published_at)::text as latest
    from policy_versions where company = ${company}`.execute(db);
  const row = rows[0];
  return `${row?.n ?? 0}:${row?.latest ?? ""}`;
}

/** Takes the publication lock until the transaction ends: one publication at a time, cluster-wide. */
export async function lockVersions(trx: Transaction<Database>): Promise<void> {
  await sql`lock table policy_versions in exclusive mode`.execute(trx);
}

export async function insertVersion(
  trx: Transaction<Database>,
  row: {
    company: string;
    version: string;
    yaml: string;
    sha256: string;
    effectiveAt: Date;
    publishedAt: Date;
    publishedBy: string;
    material: boolean;
  },
): Promise<void> {
  await trx
    .insertInto("policy_versions")
    .values({
      company: row.company,
      version: row.version,
      yaml: row.yaml,
      sha256: row.sha256,
      effective_at: row.effectiveAt,
      published_at: row.publishedAt,
      published_by: row.publishedBy,
      material: row.material,
      announcement_id: null,
    })
    .execute();
}

export async function setAnnouncement(
  db: Db,
  company: string,
  version: string,
  campaignId: string,
): Promise<void> {
  await db
    .updateTable("policy_versions")
    .set({ announcement_id: campaignId })
    .where("company", "=", company)
    .where("version", "=", version)
    .execute();
}
