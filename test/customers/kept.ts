import type { Kysely } from "kysely";
import type { Database } from "../../src/store/database.ts";

/** Row counts of every table a sign-up writes: equal before and after means nothing was kept. */
export async function keptRows(db: Kysely<Database>): Promise<Record<string, number>> {
  const tables = [
    "subjects",
    "subject_fields",
    "subject_identities",
    "subject_addresses",
    "subject_keys",
    "subject_consents",
    "customer_accounts",
    "customer_sessions",
    "customer_devices",
  ] as const;
  const out: Record<string, number> = {};
  for (const table of tables) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}
