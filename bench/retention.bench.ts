/**
 * Retention (`runRetention`, what `pledge retention run` and the daily job run) against the
 * batched DELETE an engineer would write by hand for the same job, on identical copies of the same
 * data. Goal: ≥ 0.5× the hand-written rows erased per second.
 *
 * The data: BENCH_RETENTION_SUBJECTS people (default 100,000; the issue's size is 1,000,000), each
 * with a billing address recorded when they signed up and three orders, each order paid with its
 * own card (a payment method and one charge), all written set-based in SQL as the subjects, orders
 * and payments services store them (sealed columns are `v1.<iv>.<ciphertext‖tag>` texts of the
 * sizes those services write). Eight people in ten have two orders past the zones pack's P7Y and
 * one recent; one in ten only recent ones; one in ten (lapsed) only old ones, so their billing
 * address is past its period too (it runs from their last order); one in a hundred is under a
 * legal hold (their old orders stay), one in a hundred has a released hold (theirs go). The run's
 * clock is fixed at AS_OF.
 *
 * Both sides work through people in subject id order, BATCH people per transaction, with the same
 * cutoff and skipping held people, erasing old orders, charges and the billing addresses of people
 * with no order or charge since the cutoff. Pledge's run also locks and moves its run row, returns the ids
 * it erased and writes one hash-chained audit event per person. The peer keeps its cursor in
 * memory, deletes and commits, nothing else. Each round copies the seeded database twice
 * (CREATE DATABASE … TEMPLATE) and times each side on its own copy, alternating which goes first;
 * after each run the remaining rows are checked against what must remain (a side that erased the
 * wrong rows fails the benchmark). BENCH_RETENTION_ROUNDS sets the rounds (default 3).
 *
 * PostgreSQL at BENCH_PG_URL's server; with no server, PGlite in memory, seeded once per side.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql, type Kysely } from "kysely";
import pg from "pg";
import { DEFAULT_BATCH } from "../src/modules/retention/retention.ts";
import { runRetention } from "../src/modules/retention/retention.service.ts";
import { inForce, loadPolicyHistory } from "../src/policy/history.ts";
import { openStore } from "../src/store/connection.ts";
import type { Database } from "../src/store/database.ts";
import { migrate } from "../src/store/migrate.ts";
import type { Store } from "../src/store/store.ts";
import { systemActing } from "../src/use/acting.ts";
import { median, printResults, timeIt, type BenchResult } from "./lib.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SUBJECTS = Number(process.env.BENCH_RETENTION_SUBJECTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_RETENTION_ROUNDS ?? 3);
const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const BATCH = DEFAULT_BATCH;
const AS_OF = new Date("2026-12-06T12:00:00.000Z");
/** Old items are dated before OLD_BEFORE, recent ones from RECENT_FROM; the P7Y cutoff (2019-12-06 in Los Angeles) falls between. */
const OLD_BEFORE = "2019-06-01T00:00:00Z";
const RECENT_FROM = "2024-01-01T00:00:00Z";
const ORDERS_EACH = 3;
const FULFIL = "essential.service.order_fulfilment";
const BILLING = "essential.service.provision_billing";

/** What the seed holds and what a correct run leaves, counted from the seed's rules, not from SQL. */
interface Expected {
  /** Orders + charges + billing addresses a run erases. */
  erased: number;
  /** Orders + charges (+ billing addresses) past their period kept by a legal hold. */
  keptByHold: number;
  /** People with something erased, and people passed over for a hold. */
  subjects: number;
  heldSubjects: number;
  /** Orders (and as many charges) left after a correct run. */
  ordersLeft: number;
  /** Billing addresses left after a correct run. */
  addressesLeft: number;
}

// The seed's rules, by a person's number g, as the SQL below writes them (g % 100 = 2: a released
// hold, which keeps nothing).
const onlyRecent = (g: number) => g % 10 === 0;
const lapsed = (g: number) => g % 10 === 5;
const held = (g: number) => g % 100 === 1;
const isOld = (g: number, k: number) => !onlyRecent(g) && (k < 2 || lapsed(g));

function expected(n: number): Expected {
  const e: Expected = {
    erased: 0,
    keptByHold: 0,
    subjects: 0,
    heldSubjects: 0,
    ordersLeft: 0,
    addressesLeft: 0,
  };
  for (let g = 0; g < n; g++) {
    let old = 0;
    for (let k = 0; k < ORDERS_EACH; k++) if (isOld(g, k)) old++;
    // A billing address is past its period when every order (and charge) of the person is.
    const address = old === ORDERS_EACH ? 1 : 0;
    if (old === 0) {
      e.ordersLeft += ORDERS_EACH;
      e.addressesLeft++;
    } else if (held(g)) {
      e.keptByHold += 2 * old + address;
      e.heldSubjects++;
      e.ordersLeft += ORDERS_EACH;
      e.addressesLeft++;
    } else {
      e.erased += 2 * old + address;
      e.subjects++;
      e.ordersLeft += ORDERS_EACH - old;
      e.addressesLeft += 1 - address;
    }
  }
  return e;
}

/** SQL for a sealed value as `seal()` writes it: `v1.` + base64url(12-byte IV) + `.` + base64url(plaintext + 16-byte tag). */
function sealed(seed: string, plaintextBytes: number): string {
  const b64url = (bytes: string) => `rtrim(translate(encode(${bytes}, 'base64'), E'+/\\n', '-_'), '=')`;
  const bytes = (n: number, salt: string) =>
    `substring(decode(repeat(md5(${seed} || '${salt}'), ${Math.ceil(n / 16)}), 'hex') from 1 for ${n})`;
  return `'v1.' || ${b64url(bytes(12, "iv"))} || '.' || ${b64url(bytes(plaintextBytes + 16, "ct"))}`;
}

/**
 * Seeds people [from, to): subjects, holds, payment methods, orders, charges. `g` is the person,
 * `k` the order; ids are derived from them, so every copy and every re-seed is the same data.
 */
async function seed(db: Kysely<Database>, n: number): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  const step = 100_000;
  const subjectId = "md5('retention-bench:' || g)::uuid";
  const orderDate = `case when g % 10 <> 0 and (k < 2 or g % 10 = 5)
      then timestamptz '2013-01-01T00:00:00Z' + make_interval(days => ((g * 31 + k * 101) % 2300)::int, secs => (g * 7919) % 86400)
      else timestamptz '${RECENT_FROM}' + make_interval(days => ((g * 7 + k * 13) % 1000)::int, secs => (g * 7919) % 86400) end`;
  const version = (at: string) => `case when ${at} < '2019-12-31' then '2016-11-28' else '2019-12-31' end`;
  for (let from = 0; from < n; from += step) {
    const to = Math.min(n, from + step) - 1;
    const people = `generate_series(${from}::bigint, ${to}::bigint) g`;
    const orders = `${people} cross join generate_series(0, ${ORDERS_EACH - 1}) k cross join lateral (select ${orderDate} as at) d`;
    await run(`insert into subjects (subject_id, status, jurisdiction, created_at, updated_at,
        customer_number, version, collection_point, purpose, policy_version)
      select ${subjectId}, 'customer', 'US-CA', t, t, 'C' || upper(substring(md5('cn:' || g) from 1 for 20)), 1,
        'web.checkout', '${FULFIL}', ${version("t")}
      from ${people}, lateral (select timestamptz '2012-06-01T00:00:00Z' + make_interval(days => (g % 200)::int) as t) c`);
    await run(`insert into legal_holds (hold_id, subject_id, matter, placed_by, placed_at, released_by, released_at)
      select md5('hold:' || g)::uuid, ${subjectId}, 'Bench v. Retention (matter 2026-114)', 'staff:bench-legal',
        timestamptz '2026-10-01T00:00:00Z',
        case when g % 100 = 2 then 'staff:bench-legal' end,
        case when g % 100 = 2 then timestamptz '2026-11-01T00:00:00Z' end
      from ${people} where g % 100 in (1, 2)`);
    await run(`insert into subject_addresses (subject_id, address_id, kind, value_enc, blind_index,
        collection_point, purpose, collected_at, policy_version)
      select ${subjectId}, md5('address:' || g)::uuid, 'billing', ${sealed("'address:' || g", 48)},
        encode(sha256(('address-index:' || g)::bytea), 'hex'), 'web.checkout', '${FULFIL}', s.created_at,
        s.policy_version
      from ${people} join subjects s on s.subject_id = ${subjectId}`);
    // Each order is paid with the card given for it (zones has no purpose for reusing a card).
    await run(`insert into payment_methods (subject_id, payment_method_id, token_enc, brand_enc, last4_enc,
        expiry_enc, given_for_order, reuse_allowed, collection_point, purpose, policy_version, created_at, version)
      select ${subjectId}, md5('pm:' || g || ':' || k)::uuid, ${sealed("'tok:' || g || k", 28)},
        ${sealed("'brand:' || g || k", 4)}, ${sealed("'last4:' || g || k", 4)}, ${sealed("'exp:' || g || k", 5)},
        'R-' || lpad((g * ${ORDERS_EACH} + k)::text, 9, '0'), false, 'web.checkout', '${BILLING}',
        ${version("d.at")}, d.at, 1
      from ${orders}`);
    await run(`insert into orders (subject_id, order_id, status, items_enc, total_enc, collection_point,
        purpose, policy_version, created_at, version)
      select ${subjectId}, 'R-' || lpad((g * ${ORDERS_EACH} + k)::text, 9, '0'),
        case when k = 2 then 'placed' else 'fulfilled' end,
        ${sealed("'items:' || g || k", 52)}, ${sealed("'total:' || g || k", 35)},
        'web.checkout', '${FULFIL}', ${version("d.at")}, d.at, case when k = 2 then 1 else 2 end
      from ${orders}`);
    await run(`insert into payment_charges (subject_id, charge_id, payment_method_id, order_id, reuse, purpose,
        policy_version, charged_at, request_key, request_hash)
      select ${subjectId}, md5('charge:' || g || ':' || k)::uuid, md5('pm:' || g || ':' || k)::uuid,
        'R-' || lpad((g * ${ORDERS_EACH} + k)::text, 9, '0'), false, '${BILLING}', ${version("d.at")},
        d.at + interval '2 minutes',
        case when g % 2 = 0 then encode(sha256(('key:' || g || ':' || k)::bytea), 'hex') end,
        case when g % 2 = 0 then encode(sha256(('req:' || g || ':' || k)::bytea), 'hex') end
      from ${orders}`);
  }
  // Frozen and analysed once here, so neither copy pays for first-read hint bits or statistics.
  await run("vacuum (freeze, analyze)");
}

/** A fingerprint of the orders, charges and addresses a correct run leaves, from the seed's own rules. */
const HELD = `exists (select 1 from legal_holds l where l.subject_id = t.subject_id and l.released_at is null)`;
const MUST_REMAIN = `(at >= timestamptz '${RECENT_FROM}' or ${HELD})`;
const ADDRESS_MUST_REMAIN = `(exists (select 1 from orders o where o.subject_id = t.subject_id
  and o.created_at >= timestamptz '${RECENT_FROM}') or ${HELD})`;

async function fingerprint(db: Kysely<Database>, onlyWhatMustRemain: boolean): Promise<string> {
  const where = onlyWhatMustRemain ? `where ${MUST_REMAIN}` : "";
  const addressWhere = onlyWhatMustRemain ? `where ${ADDRESS_MUST_REMAIN}` : "";
  const { rows } = await sql<{ o: string; c: string; a: string }>`select
    (select count(*) || ':' || coalesce(sum(hashtext(subject_id::text || order_id)), 0)
       from (select subject_id, order_id, created_at as at from orders) t ${sql.raw(where)}) as o,
    (select count(*) || ':' || coalesce(sum(hashtext(charge_id::text)), 0)
       from (select subject_id, charge_id, charged_at as at from payment_charges) t ${sql.raw(where)}) as c,
    (select count(*) || ':' || coalesce(sum(hashtext(address_id::text)), 0)
       from subject_addresses t ${sql.raw(addressWhere)}) as a`.execute(db);
  return `orders ${rows[0]!.o}, charges ${rows[0]!.c}, addresses ${rows[0]!.a}`;
}

/** Fails loudly unless exactly the rows that must remain are left (and nothing old and unheld). */
async function verifyLeft(db: Kysely<Database>, side: string, want: string, e: Expected): Promise<void> {
  const got = await fingerprint(db, false);
  if (got !== want) throw new Error(`${side} left the wrong rows: ${got}, expected ${want}`);
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from orders t
    where created_at < ${OLD_BEFORE}::timestamptz and not exists (select 1 from legal_holds l
      where l.subject_id = t.subject_id and l.released_at is null)`.execute(db);
  if (Number(rows[0]!.n) !== 0) throw new Error(`${side} left ${rows[0]!.n} orders past their period`);
  if (!got.startsWith(`orders ${e.ordersLeft}:`) || !got.includes(`addresses ${e.addressesLeft}:`))
    throw new Error(`${side}: ${got}, ${e.ordersLeft} orders and ${e.addressesLeft} addresses expected`);
}

/** No order or charge of the person `t` from the cutoff on. */
const noBillingSince = (cutoff: Date) =>
  sql`not exists (select 1 from orders o where o.subject_id = t.subject_id and o.created_at >= ${cutoff})
    and not exists (select 1 from payment_charges c where c.subject_id = t.subject_id and c.charged_at >= ${cutoff})`;

/** The peer: the batched DELETE an engineer would write, cursor in memory, one transaction a batch. */
async function handWritten(db: Kysely<Database>): Promise<number> {
  const { rows: c } = await sql<{ cutoff: Date }>`select
    (((${AS_OF}::timestamptz at time zone 'America/Los_Angeles')::date - interval 'P7Y')::date)::timestamp
      at time zone 'America/Los_Angeles' as cutoff`.execute(db);
  const cutoff = new Date(c[0]!.cutoff);
  let cursor = "00000000-0000-0000-0000-000000000000";
  let erased = 0;
  for (;;) {
    const done = await db.transaction().execute(async (trx) => {
      const { rows: dated } = await sql<{ subject_id: string }>`select subject_id from (
          (select distinct subject_id from orders where subject_id > ${cursor}::uuid and created_at < ${cutoff}
            order by subject_id limit ${BATCH})
          union
          (select distinct subject_id from payment_charges where subject_id > ${cursor}::uuid and charged_at < ${cutoff}
            order by subject_id limit ${BATCH})) due
        order by subject_id limit ${BATCH}`.execute(trx);
      // Billing addresses probe each person's orders and charges: looked for only as far as the
      // batch reaches when orders and charges fill it, else to the end.
      const upTo =
        dated.length === BATCH ? sql`and subject_id <= ${dated[BATCH - 1]!.subject_id}::uuid` : sql``;
      const { rows: billing } = await sql<{ subject_id: string }>`select distinct subject_id
        from subject_addresses t where subject_id > ${cursor}::uuid ${upTo}
          and kind = 'billing' and collected_at < ${cutoff} and ${noBillingSince(cutoff)}
        order by subject_id limit ${BATCH}`.execute(trx);
      const ids = [...new Set([...dated, ...billing].map((r) => r.subject_id))].sort().slice(0, BATCH);
      if (ids.length === 0) return true;
      const notHeld = sql`not exists (select 1 from legal_holds h where h.subject_id = t.subject_id and h.released_at is null)`;
      const a = await sql`delete from subject_addresses t where subject_id = any(${ids}::uuid[])
        and kind = 'billing' and collected_at < ${cutoff} and ${noBillingSince(cutoff)} and ${notHeld}`.execute(
        trx,
      );
      const o = await sql`delete from orders t where subject_id = any(${ids}::uuid[])
        and created_at < ${cutoff} and ${notHeld}`.execute(trx);
      const p = await sql`delete from payment_charges t where subject_id = any(${ids}::uuid[])
        and charged_at < ${cutoff} and ${notHeld}`.execute(trx);
      erased +=
        Number(a.numAffectedRows ?? 0) + Number(o.numAffectedRows ?? 0) + Number(p.numAffectedRows ?? 0);
      cursor = ids[ids.length - 1]!;
      return false;
    });
    if (done) return erased;
  }
}

type Deps = Parameters<typeof runRetention>[0];

async function pledgeDeps(db: Kysely<Database>): Promise<Deps> {
  const history = await loadPolicyHistory(path.join(root, "policies", "zones"));
  return { db, clock: () => AS_OF, packAt: (at: string) => inForce(history, at) };
}

const totals = (r: Awaited<ReturnType<typeof runRetention>>) => ({
  erased: r.report.items.reduce((n, i) => n + i.erased, 0),
  keptByHold: r.report.items.reduce((n, i) => n + i.keptByHold, 0),
  subjects: r.report.subjects,
  heldSubjects: r.report.heldSubjects,
});

function sameAs(side: string, got: object, want: object): void {
  if (JSON.stringify(got) !== JSON.stringify(want))
    throw new Error(`${side}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
}

/** A dry run must find exactly what the seed put past its period, before anything is timed. */
async function checkDryRun(db: Kysely<Database>, e: Expected): Promise<void> {
  const dry = await runRetention(await pledgeDeps(db), systemActing("retention"), { dryRun: true });
  const { erased, keptByHold, subjects, heldSubjects } = e;
  sameAs("the dry run", totals(dry), { erased, keptByHold, subjects, heldSubjects });
}

/** Times Pledge's run on `db` and checks its report, its audit events and what it left. Rows/s. */
async function pledgeSide(db: Kysely<Database>, e: Expected, want: string): Promise<number> {
  const deps = await pledgeDeps(db);
  let result: Awaited<ReturnType<typeof runRetention>> | undefined;
  const ms = await timeIt(async () => {
    result = await runRetention(deps, systemActing("retention"));
  });
  if (result?.status !== "finished") throw new Error("the retention run did not finish");
  const { erased, keptByHold, subjects, heldSubjects } = e;
  sameAs("the run's report", totals(result), { erased, keptByHold, subjects, heldSubjects });
  const { rows } = await sql<{ type: string; n: number }>`select type, count(*)::int as n from audit_log
    where type like 'retention.%' group by type order by type`.execute(db);
  sameAs("the run's audit events", Object.fromEntries(rows.map((r) => [r.type, Number(r.n)])), {
    "retention.erased": subjects,
    "retention.finished": 1,
    "retention.held": heldSubjects,
    "retention.started": 1,
  });
  await verifyLeft(db, "Pledge's run", want, e);
  return (erased / ms) * 1000;
}

async function peerSide(db: Kysely<Database>, e: Expected, want: string): Promise<number> {
  let erased = 0;
  const ms = await timeIt(async () => {
    erased = await handWritten(db);
  });
  if (erased !== e.erased) throw new Error(`the batched DELETE erased ${erased} rows, expected ${e.erased}`);
  await verifyLeft(db, "the batched DELETE", want, e);
  return (erased / ms) * 1000;
}

function result(store: string, pledge: number[], peer: number[]): BenchResult {
  const ratio = median(pledge.map((p, i) => p / peer[i]!));
  return {
    name: `retention run, ${SUBJECTS.toLocaleString("en-US")} people (${store})`,
    value: median(pledge),
    unit: "rows/s",
    peer: "hand-written batched DELETE",
    peerValue: median(peer),
    ratio,
    goal: "≥ 0.5× batched DELETE",
    pass: ratio >= 0.5,
  };
}

async function onPostgres(admin: pg.Client): Promise<BenchResult> {
  const e = expected(SUBJECTS);
  const base = `pledge_bench_retention_${randomBytes(4).toString("hex")}`;
  const urlOf = (name: string) => {
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    return url.toString();
  };
  const open = (name: string) => openStore({ kind: "postgres", url: urlOf(name), poolSize: 2 });
  const made: string[] = [];
  const create = async (name: string, template?: string) => {
    made.push(name);
    await admin.query(`create database ${name}${template === undefined ? "" : ` template ${template}`}`);
  };
  try {
    const seedDb = `${base}_seed`;
    await create(seedDb);
    let want: string;
    let store = await open(seedDb);
    try {
      await migrate(store);
      const ms = await timeIt(() => seed(store.db, SUBJECTS));
      console.log(
        `retention: ${SUBJECTS.toLocaleString("en-US")} people seeded in ${(ms / 1000).toFixed(0)} s`,
      );
      await checkDryRun(store.db, e);
      want = await fingerprint(store.db, true);
    } finally {
      await store.close();
    }
    const pledge: number[] = [];
    const peer: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const sides = [
        { name: `${base}_p${r}`, measure: pledgeSide, into: pledge },
        { name: `${base}_h${r}`, measure: peerSide, into: peer },
      ];
      if (r % 2 === 1) sides.reverse();
      for (const side of sides) {
        await create(side.name, seedDb);
        await admin.query("checkpoint");
        store = await open(side.name);
        try {
          side.into.push(await side.measure(store.db, e, want));
        } finally {
          await store.close();
          await admin.query(`drop database ${side.name}`);
        }
      }
      console.log(
        `retention round ${r + 1}: Pledge ${pledge[r]!.toFixed(0)} rows/s, batched DELETE ${peer[r]!.toFixed(0)} rows/s`,
      );
    }
    return result("PostgreSQL", pledge, peer);
  } finally {
    for (const name of made.reverse()) await admin.query(`drop database if exists ${name} with (force)`);
  }
}

async function onPglite(): Promise<BenchResult> {
  const e = expected(SUBJECTS);
  const fresh = async (): Promise<{ store: Store; want: string }> => {
    const store = await openStore({ kind: "pglite", dataDir: null });
    await migrate(store);
    await seed(store.db, SUBJECTS);
    return { store, want: await fingerprint(store.db, true) };
  };
  const pledge: number[] = [];
  const peer: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const sides = [
      { measure: pledgeSide, into: pledge },
      { measure: peerSide, into: peer },
    ];
    if (r % 2 === 1) sides.reverse();
    for (const side of sides) {
      const { store, want } = await fresh();
      try {
        if (r === 0 && side.into === pledge) await checkDryRun(store.db, e);
        side.into.push(await side.measure(store.db, e, want));
      } finally {
        await store.close();
      }
    }
  }
  return result("PGlite in memory", pledge, peer);
}

export async function run(): Promise<BenchResult[]> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  try {
    await admin.connect();
  } catch {
    console.log(`retention: PostgreSQL at ${PG_ADMIN_URL} does not answer: measured on PGlite`);
    return [await onPglite()];
  }
  try {
    return [await onPostgres(admin)];
  } finally {
    await admin.end();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  printResults(await run());
}
