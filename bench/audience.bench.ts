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
import {
  compileAudience,
  compilePolicy,
  explainAudience,
  type CompiledPolicy,
  type Use,
  type UseFacts,
} from "../src/gate/index.ts";
import { inForce, loadPolicyHistory } from "../src/policy/history.ts";
import type { Database } from "../src/store/database.ts";
import { openStore } from "../src/store/connection.ts";
import { migrate } from "../src/store/migrate.ts";
import type { Store } from "../src/store/store.ts";
import { audienceKey, buildKept, keptAudiences, keptRows, sweepKept } from "../src/use/kept.ts";
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
const HAND_WRITTEN_WHERE = `
s.erased_at is null
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
const HAND_WRITTEN = `select count(*) as n from subjects s where ${HAND_WRITTEN_WHERE}`;
const KEPT_RUNS = Number(process.env.BENCH_AUDIENCE_KEPT_RUNS ?? 9);
const MARKED = Number(process.env.BENCH_AUDIENCE_MARKED ?? 50_000);

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
      name: `audience, ${label}, every person decided`,
      value,
      unit: "ms",
      peer: "hand-written SQL",
      peerValue,
      ratio: peerValue / value,
      goal: "≤ 1.2× the hand-written query",
      pass: value <= 1.2 * peerValue,
    },
  ];
  results.push(...(await measureKept(label, store, policy, facts, pledgeCount, n, goalMs)));
  return results;
}

/**
 * The same audience read from its kept rows (src/use/kept.ts): built once (timed, reported),
 * then counted as a campaign reads it, against the query an engineer would write by hand over
 * the same tables (the rows of the audience with the age rule, people marked stale decided
 * live), alternated. Both must count what the gate's predicate counted. Then people marked
 * stale as writes leave them: the read with them outstanding, and the sweep that clears them.
 */
async function measureKept(
  label: string,
  store: Store,
  policy: CompiledPolicy,
  facts: UseFacts,
  expected: number,
  n: number,
  goalMs: number | null,
): Promise<BenchResult[]> {
  const db = store.db;
  const pack = (await loadPolicyHistory(path.join(root, "policies/zones"))).versions.find(
    (v) => v.pack.version === policy.version,
  )!.pack;
  const audiences = keptAudiences(policy, pack, "us");
  const started = Date.now();
  const built = await buildKept(db, audiences, policy.version, new Date());
  const buildMs = Date.now() - started;
  console.log(
    `audience: ${label}: built ${built.length} kept audiences in ${(buildMs / 1000).toFixed(1)} s (${built
      .map(
        (b) =>
          `${b.description.purpose}/${b.description.channel}${b.description.topic === null ? "" : `/${b.description.topic}`} ${b.members}`,
      )
      .join(", ")})`,
  );
  await db.executeQuery(CompiledQuery.raw("vacuum analyze audience_members"));
  const explained = explainAudience(policy, facts, USE);
  const key = audienceKey(explained.standing);
  const kept = await db.transaction().execute(async (trx) => {
    const rows = await keptRows(trx, explained, policy.version);
    if (rows === null) throw new Error("the audience is not kept after a build");
    return trx
      .selectFrom(rows.as("k"))
      .select(sql<number>`count(*)`.as("n"))
      .compile();
  });
  const byHand = CompiledQuery.raw(`
    select count(*) as n from (
      select m.subject_id from audience_members m
      where m.audience = '${key}' and (m.birth_date is null or m.birth_date <= date '${CUTOFF}')
        and not exists (select 1 from audience_stale st where st.subject_id = m.subject_id)
      union all
      select s.subject_id from subjects s join (select distinct subject_id from audience_stale) st using (subject_id)
      where ${HAND_WRITTEN_WHERE}) a`);
  const keptCount = await count(db, kept);
  const byHandCount = await count(db, byHand);
  if (keptCount !== expected || byHandCount !== expected)
    throw new Error(`kept audience ${keptCount}, by hand ${byHandCount}, the gate's predicate ${expected}`);
  const mine: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < KEPT_RUNS; i++) {
    if (i % 2 === 0) {
      mine.push(await timed(() => count(db, kept)));
      theirs.push(await timed(() => count(db, byHand)));
    } else {
      theirs.push(await timed(() => count(db, byHand)));
      mine.push(await timed(() => count(db, kept)));
    }
  }
  const value = median(mine);
  const peerValue = median(theirs);
  const results: BenchResult[] = [
    {
      name: `audience, ${label}, kept`,
      value,
      unit: "ms",
      peer: "hand-written SQL over the kept rows",
      peerValue,
      ratio: peerValue / value,
      goal: "≤ 1.2× the hand-written query",
      pass: value <= 1.2 * peerValue,
    },
  ];
  if (goalMs !== null) {
    results.push({
      name: `audience, ${label}, kept, time`,
      value,
      unit: "ms",
      peer: "the budget",
      peerValue: goalMs,
      ratio: goalMs / value,
      goal: `≤ ${goalMs} ms`,
      pass: value <= goalMs,
    });
  }

  // People marked stale by writes since the last sweep: the read decides them live, then a
  // sweep works their rows out again. Marked at random among the seeded ids (see seed).
  const ids = [
    ...new Set(
      Array.from(
        { length: MARKED },
        () => `00000000-0000-4000-8000-${(1 + Math.floor(Math.random() * n)).toString(16).padStart(12, "0")}`,
      ),
    ),
  ];
  for (let i = 0; i < ids.length; i += 10_000) {
    await db
      .insertInto("audience_stale")
      .values(ids.slice(i, i + 10_000).map((subject_id) => ({ subject_id })))
      .execute();
  }
  await db.executeQuery(CompiledQuery.raw("analyze audience_stale"));
  const markedCount = await count(db, kept);
  if (markedCount !== expected) throw new Error(`with marks, kept audience ${markedCount} ≠ ${expected}`);
  const withMarks: number[] = [];
  for (let i = 0; i < 3; i++) withMarks.push(await timed(() => count(db, kept)));
  const sweepStart = Date.now();
  const swept = await sweepKept(db, audiences);
  const sweepMs = Date.now() - sweepStart;
  const after = await count(db, kept);
  if (after !== expected) throw new Error(`after the sweep, kept audience ${after} ≠ ${expected}`);
  console.log(
    `audience: ${label}: with ${ids.length} people marked, the kept read took ${median(withMarks).toFixed(0)} ms (median of 3); ` +
      `the sweep did them in ${(sweepMs / 1000).toFixed(1)} s (${Math.round(swept / (sweepMs / 1000))} people/s over ${audiences.length} audiences), ` +
      `the build ${Math.round(n / (buildMs / 1000))} people/s`,
  );
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
