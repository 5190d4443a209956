/**
 * Audience resolution for one channel: how many people a zones (2019 pack) marketing email may
 * reach – consent to marketing.communications.email on file (the email row winning over the
 * plain one), not withdrawn or objected, not under 13, no email address on the Do Not Send list,
 * not erased. Pledge counts `subjects where <compileAudience(...).where>`; the peer, in the same
 * run and on the same tables, is the query an engineer would write by hand for that condition
 * (one semi-join on the consents, one anti-join on identities × suppression). Both must count
 * the same people. Goal: ≤ 1.2× the hand-written query; 10M in ≤ 2 s.
 *
 * PGlite (1M, in a temporary data directory) and PostgreSQL (10M, in a schema of DATABASE_URL
 * dropped afterwards). BENCH_AUDIENCE_PGLITE and BENCH_AUDIENCE_PG change the sizes (0 skips);
 * BENCH_AUDIENCE_RUNS the timed runs of each query (alternated).
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CompiledQuery, sql, type Kysely } from "kysely";
import pg from "pg";
import { compileAudience, compilePolicy, explainAudience, type Use } from "../src/gate/index.ts";
import { inForce, loadPolicyHistory } from "../src/policy/history.ts";
import type { Database } from "../src/store/database.ts";
import { openStore } from "../src/store/connection.ts";
import { migrate } from "../src/store/migrate.ts";
import type { Store } from "../src/store/store.ts";
import { median, printResults, type BenchResult } from "./lib.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PGLITE_SIZE = Number(process.env.BENCH_AUDIENCE_PGLITE ?? 1_000_000);
const PG_SIZE = Number(process.env.BENCH_AUDIENCE_PG ?? 10_000_000);
const RUNS = Number(process.env.BENCH_AUDIENCE_RUNS ?? 5);
const PG_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const PURPOSE = "marketing.communications.email";
const AT = "2026-06-01T12:00:00Z";
const CUTOFF = "2013-06-01"; // 13 years before AT

const USE: Use = {
  action: "send",
  purpose: PURPOSE,
  channel: "email",
  messageClass: "marketing",
  actor: { kind: "system", id: "campaigns" },
  fields: ["email"],
  at: AT,
};

/** What a competent engineer writes by hand for the same condition. */
const HAND_WRITTEN = `
select count(*) as n from subjects s
where s.erased_at is null
  and (s.birth_date is null or s.birth_date <= date '${CUTOFF}')
  and exists (
    select 1 from subject_consents c
    where c.subject_id = s.subject_id and c.scope = '${PURPOSE}' and c.state = 'granted'
      and (c.channel = 'email' or (c.channel = '' and not exists (
        select 1 from subject_consents e
        where e.subject_id = c.subject_id and e.scope = c.scope and e.channel = 'email'))))
  and not exists (
    select 1 from subject_identities i
    join suppression_list x on x.channel = 'email' and x.address_index = i.blind_index
    where i.subject_id = s.subject_id and i.kind = 'email')`;

/**
 * People 1..n written straight in SQL. Shares: 40 % granted, 10 % withdrawn, 10 % objected
 * (plain rows), an email-channel row overriding for 1 in 7 (withdrawn) and 1 in 13 (granted);
 * 2 % born after the cutoff, 2 % of unknown age; 0.1 % erased; an email identity each and a
 * postal one for half; 4 % of email addresses on the Do Not Send list, plus n/20 listed
 * addresses of nobody; other consent, opt-out and permission rows around them.
 */
async function seed(db: Kysely<Database>, n: number, step: number): Promise<void> {
  const run = (text: string): Promise<unknown> => db.executeQuery(CompiledQuery.raw(text));
  // Ids and blind indexes in insertion order keep the seeding an append to every index; the
  // queries measured hash-join on them, so their order does not matter there.
  const id = `('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid`;
  const hex = `lpad(to_hex(g), 12, '0')`;
  for (let from = 1; from <= n; from += step) {
    const to = Math.min(n, from + step - 1);
    const g = `generate_series(${from}, ${to}) g`;
    await run(`insert into subjects (subject_id, status, birth_date, jurisdiction, erased_at)
      select ${id},
        case when g % 20 = 0 then 'former' when g % 5 = 1 then 'prospect' else 'customer' end,
        case when g % 50 = 7 then null when g % 50 = 9 then date '2015-01-01' + (g % 1000)
             else date '1950-01-01' + (g::bigint * 7919 % 20000)::int end,
        'US', case when g % 1000 = 3 then now() end
      from ${g}`);
    await run(`insert into subject_identities (subject_id, kind, blind_index, value_enc, is_primary)
      select ${id}, 'email', 'e' || ${hex}, 'v1.x', true from ${g}`);
    await run(`insert into subject_identities (subject_id, kind, blind_index, value_enc)
      select ${id}, 'postal', 'p' || ${hex}, 'v1.x' from ${g} where g % 2 = 0`);
    await run(`insert into subject_consents (subject_id, scope, channel, state)
      select ${id}, '${PURPOSE}', '',
        case when g % 10 < 4 then 'granted' when g % 10 = 4 then 'withdrawn' else 'objected' end
      from ${g} where g % 10 < 6`);
    await run(`insert into subject_consents (subject_id, scope, channel, state)
      select ${id}, '${PURPOSE}', 'email', case when g % 7 = 0 then 'withdrawn' else 'granted' end
      from ${g} where g % 7 = 0 or g % 13 = 0`);
    await run(`insert into subject_consents (subject_id, scope, channel, state)
      select ${id}, 'marketing.communications.postal', '', 'withdrawn' from ${g} where g % 10 = 1`);
    await run(`insert into subject_opt_outs (subject_id, scope)
      select ${id}, 'partner_sharing' from ${g} where g % 20 = 2`);
    await run(`insert into subject_permissions (subject_id, permission)
      select ${id}, 'card_reuse' from ${g} where g % 10 = 3`);
    await run(`insert into suppression_list (channel, address_index, reason, source, created_at, created_by)
      select 'email', 'e' || ${hex}, 'unsubscribe', 'web', now(), 'seed' from ${g} where g % 25 = 0
      union all
      select 'email', 'x' || ${hex}, 'import', 'import', now(), 'seed' from ${g} where g % 20 = 0
      union all
      select 'postal', 'p' || ${hex}, 'request', 'web', now(), 'seed' from ${g} where g % 30 = 0`);
  }
  // As autovacuum would: statistics, and the visibility map that makes index-only scans real.
  await run("vacuum analyze");
}

async function count(db: Kysely<Database>, query: CompiledQuery): Promise<number> {
  const result = await db.executeQuery<{ n: number | string }>(query);
  return Number(result.rows[0]?.n);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function measure(
  label: string,
  store: Store,
  n: number,
  goalMs: number | null,
): Promise<BenchResult[]> {
  const db = store.db;
  const started = Date.now();
  await seed(db, n, store.kind === "pglite" ? 250_000 : 1_000_000);
  console.log(`audience: ${label}: seeded ${n} people in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  const policies = await loadPolicyHistory(path.join(root, "policies/zones"));
  const policy = compilePolicy(inForce(policies, AT));
  const facts = { actorAttested: true, recipientContractOnFile: null, deploymentRegion: "us" };
  const audience = compileAudience(policy, facts, USE);
  if (audience.decision.outcome !== "allow")
    throw new Error(`the gate refuses the use: ${audience.decision.outcome}`);
  const pledge = db
    .selectFrom("subjects")
    .select(sql<number>`count(*)`.as("n"))
    .where(audience.where)
    .compile();
  const peer = CompiledQuery.raw(HAND_WRITTEN);

  const pledgeCount = await count(db, pledge);
  const peerCount = await count(db, peer);
  if (pledgeCount !== peerCount) throw new Error(`audience ${pledgeCount} ≠ hand-written ${peerCount}`);
  const parts = explainAudience(policy, facts, USE).parts.map((p) => p.reason.code);
  console.log(`audience: ${label}: ${pledgeCount} of ${n} reachable; parts ${parts.join(", ")}`);
  if (process.env.BENCH_AUDIENCE_PLANS === "1") {
    for (const [name, q] of [
      ["pledge", pledge],
      ["peer", peer],
    ] as const) {
      const plan = await db.executeQuery<Record<string, string>>(
        CompiledQuery.raw(`explain (analyze, costs off) ${q.sql}`, [...q.parameters]),
      );
      console.log(`-- ${name}\n${plan.rows.map((r) => Object.values(r)[0]).join("\n")}`);
    }
  }

  const mine: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Alternate, starting with each side in turn, so caches and load favour neither.
    if (i % 2 === 0) {
      mine.push(await timed(() => count(db, pledge)));
      theirs.push(await timed(() => count(db, peer)));
    } else {
      theirs.push(await timed(() => count(db, peer)));
      mine.push(await timed(() => count(db, pledge)));
    }
  }
  const value = median(mine);
  const peerValue = median(theirs);
  const results: BenchResult[] = [
    {
      name: `audience, ${label}`,
      value,
      unit: "ms",
      peer: "hand-written SQL",
      peerValue,
      ratio: peerValue / value,
      goal: "≤ 1.2× the hand-written query",
      pass: value <= 1.2 * peerValue,
    },
  ];
  if (goalMs !== null) {
    results.push({
      name: `audience, ${label}, time`,
      value,
      unit: "ms",
      peer: "the budget",
      peerValue: goalMs,
      ratio: goalMs / value,
      goal: `≤ ${goalMs} ms`,
      pass: value <= goalMs,
    });
  }
  return results;
}

async function onPGlite(n: number): Promise<BenchResult[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "pledge-audience-"));
  const store = await openStore({ kind: "pglite", dataDir: dir });
  try {
    await migrate(store);
    return await measure(`${n / 1e6}M people, PGlite`, store, n, null);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function onPostgres(n: number): Promise<BenchResult[]> {
  const schema = `bench_audience_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  try {
    await admin.connect();
  } catch {
    console.log("audience: no PostgreSQL server answers; skipped");
    return [];
  }
  const store = await openStore({ kind: "postgres", url: PG_URL, schema, poolSize: 1 });
  try {
    await migrate(store);
    return await measure(`${n / 1e6}M people, PostgreSQL`, store, n, 2000);
  } finally {
    await store.close();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  if (PGLITE_SIZE > 0) results.push(...(await onPGlite(PGLITE_SIZE)));
  if (PG_SIZE > 0) results.push(...(await onPostgres(PG_SIZE)));
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printResults(await run());
