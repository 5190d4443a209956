import type { LightMyRequestResponse } from "fastify";
import { buildTestApp, type TestApp } from "../harness/app.ts";

/** A test app for one company, an admin key, and shorthands for /v1/subjects. */
export interface SubjectsFixture {
  readonly t: TestApp;
  readonly admin: string;
  req(
    method: "GET" | "POST" | "PATCH" | "DELETE",
    url: string,
    opts?: { key?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  create(body?: Partial<CreateBody>, key?: string): Promise<LightMyRequestResponse>;
}

export interface CreateBody {
  status: string;
  purpose: string;
  collectionPoint: string;
  birthDate?: string | null;
  jurisdiction?: string;
  fields: Record<string, string>;
  addresses?: unknown[];
}

export const ACCOUNT: Record<string, string> = {
  zones: "essential.service.account",
  zzservers: "essential.service.provisioning",
  zmailcloud: "essential.service.provision_billing",
  partstore: "essential.service.order_fulfilment",
};

export async function subjectsFixture(company = "zones", clock?: () => Date): Promise<SubjectsFixture> {
  const t = await buildTestApp({ company, ...(clock ? { clock } : {}) });
  const admin = await t.apiKey("admin");
  const req: SubjectsFixture["req"] = (method, url, opts = {}) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${opts.key ?? admin}`, ...opts.headers },
      ...(opts.body === undefined ? {} : { payload: opts.body as object }),
    });
  const create: SubjectsFixture["create"] = (body = {}, key) =>
    req("POST", "/v1/subjects", {
      ...(key ? { key } : {}),
      body: {
        status: "customer",
        purpose: ACCOUNT[company],
        collectionPoint: "web.signup",
        birthDate: "1980-04-02",
        jurisdiction: "US",
        fields: {
          first_name: "Ada",
          last_name: "Lovelace",
          email: "ada@example.com",
          phone: "+1 415 555 0100",
        },
        ...body,
      },
    });
  return { t, admin, req, create };
}

/**
 * Kept audiences' rows, marks and register (src/use/kept.ts): the app's sweep and build rewrite them on its own timer,
 * whatever the request in between did, so a count of them says nothing about the request.
 */
const SWEPT = new Set(["audience_members", "audience_stale", "kept_audiences"]);

/** Every table of the store's current schema and its row count (the kept audiences' aside). */
export async function rowCounts(t: TestApp): Promise<Record<string, number>> {
  const { sql } = await import("kysely");
  const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`.execute(t.store.db);
  const out: Record<string, number> = {};
  for (const { name } of tables.rows) {
    if (SWEPT.has(name)) continue;
    const r = await sql<{ n: string }>`select count(*) as n from ${sql.table(name)}`.execute(t.store.db);
    out[name] = Number(r.rows[0]!.n);
  }
  return out;
}

/** The whole store as text, table by table: to search for a value that must not be there. */
export async function dumpAll(t: TestApp): Promise<string> {
  const { sql } = await import("kysely");
  const counts = await rowCounts(t);
  let text = "";
  for (const name of Object.keys(counts)) {
    const r = await sql<{ row: string }>`select t::text as row from ${sql.table(name)} t`.execute(t.store.db);
    text += r.rows.map((x) => x.row).join("\n");
  }
  return text;
}

/** Audit rows about one subject, oldest first. */
export async function auditOf(t: TestApp, subjectId: string) {
  return t.store.db
    .selectFrom("audit_log")
    .where("subject_id", "=", subjectId)
    .select(["seq", "type", "actor", "payload"])
    .orderBy("seq")
    .execute();
}
