import { sql, type Kysely } from "kysely";

/**
 * Cookieless site statistics (src/modules/analytics): the daily salts the visitor keys are made
 * under (destroyed after 48 hours), the page views (a salted key, never an address or a user
 * agent), the ledger of privacy budget spent on noisy reports, and a disclosure kind for
 * aggregates sent to a recipient (Z16-09), which concern no one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("analytics_salts")
    .addColumn("day", "date", (c) => c.primaryKey())
    .addColumn("salt", "bytea", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("page_views")
    .addColumn("site", "text", (c) => c.notNull())
    .addColumn("day", "date", (c) => c.notNull())
    .addColumn("at", "timestamptz", (c) => c.notNull())
    .addColumn("visitor", "bytea", (c) => c.notNull())
    .addColumn("path", "text", (c) => c.notNull())
    .addColumn("referrer", "text")
    .execute();
  await db.schema.createIndex("page_views_site_day").on("page_views").columns(["site", "day"]).execute();

  await db.schema
    .createTable("analytics_budget_spends")
    .addColumn("spend_id", "uuid", (c) => c.primaryKey())
    .addColumn("site", "text", (c) => c.notNull())
    .addColumn("period", "text", (c) => c.notNull())
    .addColumn("epsilon", sql`double precision`, (c) => c.notNull().check(sql`epsilon > 0`))
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("at", "timestamptz", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("analytics_budget_spends_period")
    .on("analytics_budget_spends")
    .columns(["site", "period"])
    .execute();

  await sql`alter table disclosures drop constraint if exists disclosures_kind_check`.execute(db);
  await sql`alter table disclosures add constraint disclosures_kind_check
    check (kind in ('export', 'share', 'conversion', 'list', 'legal', 'aggregate'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table disclosures drop constraint if exists disclosures_kind_check`.execute(db);
  await sql`alter table disclosures add constraint disclosures_kind_check
    check (kind in ('export', 'share', 'conversion', 'list', 'legal'))`.execute(db);
  await db.schema.dropTable("analytics_budget_spends").execute();
  await db.schema.dropTable("page_views").execute();
  await db.schema.dropTable("analytics_salts").execute();
}
