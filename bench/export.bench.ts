/**
 * A partner export of many rows (1M by default, BENCH_EXPORT_ROWS to change) through Pledge's
 * export service: gate audience in SQL, ledger written and committed, then the records read back
 * through the ledger a page at a time, each person's data key unwrapped, the fields decrypted and
 * the CSV serialised (RFC 4180, formula guard), with a projection removing a field the partner may
 * not receive. The peer, in the same run, is a raw loop over the same rows: one keyset-paged query
 * per page, unwrap with node:crypto, decrypt, CSV. Pledge and the peer alternate for
 * BENCH_EXPORT_ROUNDS rounds (default 2) after one warm-up round that is not counted; the rates
 * are over the counted rounds. PostgreSQL when
 * DATABASE_URL is set, else PGlite. Goal: Pledge ≥ 0.8× the raw loop's rows/s.
 *
 * The seeded data is kept between runs: in the schema `bench_export` on PostgreSQL, in a data
 * directory under the system's temporary directory on PGlite; a marker table says the seeding
 * finished. BENCH_EXPORT_RESEED=1 starts over. Each run first removes the previous runs' ledgers.
 */
import {
  createDecipheriv,
  createHash,
  createSecretKey,
  randomBytes,
  randomUUID,
  type KeyObject,
} from "node:crypto";
import { rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { sql, type Kysely } from "kysely";
import { createSubjectCipher, newDataKey, wrapDataKey } from "../src/crypto/cipher.ts";
import { memoryKeyring } from "../src/crypto/keys.ts";
import { createVault } from "../src/crypto/vault.ts";
import { PolicyBook } from "../src/policy/book.ts";
import { exportList } from "../src/modules/exports/exports.service.ts";
import { csvLine } from "../src/modules/exports/format.ts";
import { loadPolicyHistory } from "../src/policy/history.ts";
import { openStore } from "../src/store/connection.ts";
import type { Database } from "../src/store/database.ts";
import type { Store } from "../src/store/store.ts";
import { migrate } from "../src/store/migrate.ts";
import { printResults, type BenchResult } from "./lib.ts";
import { unwrap } from "../src/use/refusal.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ROWS = Number(process.env.BENCH_EXPORT_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_EXPORT_ROUNDS ?? 2);
const SCHEMA = "bench_export";
const PAGE = 2000;
const BATCH = 10_000;
const AT = new Date("2021-06-01T12:00:00Z");
/** Fixed so that the data seeded by an earlier run still opens (benchmark data only). */
const MASTER = createSecretKey(createHash("sha256").update("pledge export benchmark master key").digest());
const LOADED = ["subjects", "subject_keys", "subject_fields", "subject_addresses"];

interface Batch {
  ids: string[];
  wrapped: string[];
  fSubject: string[];
  fField: string[];
  fValue: string[];
  aId: string[];
  aValue: string[];
  aIndex: string[];
}

/** One batch of people, keys and ciphertexts made in this process (cheap next to the inserts). */
function makeBatch(from: number, to: number): Batch {
  const b: Batch = {
    ids: [],
    wrapped: [],
    fSubject: [],
    fField: [],
    fValue: [],
    aId: [],
    aValue: [],
    aIndex: [],
  };
  for (let i = from; i < to; i++) {
    const id = randomUUID();
    const key = newDataKey();
    const cipher = createSubjectCipher(id, key);
    b.ids.push(id);
    b.wrapped.push(wrapDataKey(MASTER, "k1", id, key));
    for (const [field, value] of [
      ["first_name", i % 97 === 0 ? `=SUM(A${i})` : `Ada${i}`],
      ["last_name", "Lovelace"],
      ["email", `ada${i}@example.com`],
      ["zip", "62701"],
    ] as const) {
      b.fSubject.push(id);
      b.fField.push(field);
      b.fValue.push(cipher.encrypt(field, value));
    }
    const addressId = randomUUID();
    const address = {
      name: null,
      line1: `${i} Main St`,
      line2: i % 5 === 0 ? 'Apt "B", 2nd floor' : null,
      city: "Springfield",
      region: "IL",
      postalCode: "62701",
      country: "US",
    };
    b.aId.push(addressId);
    b.aValue.push(cipher.encrypt(`address.${addressId}`, JSON.stringify(address)));
    b.aIndex.push(`b${i}`);
  }
  return b;
}

async function insertBatch(db: Kysely<Database>, b: Batch): Promise<void> {
  await sql`insert into subjects (subject_id, status, birth_date, jurisdiction, customer_number, version, collection_point, purpose, policy_version)
    select id, 'customer', date '1980-01-01', 'US-CA', null, 1, 'seed', 'essential.service.account', '2019-12-31'
    from unnest(${b.ids}::uuid[]) as t(id)`.execute(db);
  await sql`insert into subject_keys (subject_id, master_key_id, wrapped_key)
    select id, 'k1', w from unnest(${b.ids}::uuid[], ${b.wrapped}::text[]) as t(id, w)`.execute(db);
  await sql`insert into subject_fields (subject_id, field, value_enc, collection_point, purpose, collected_at, policy_version)
    select s, f, v, 'seed', 'essential.service.account', now(), '2019-12-31'
    from unnest(${b.fSubject}::uuid[], ${b.fField}::text[], ${b.fValue}::text[]) as t(s, f, v)`.execute(db);
  await sql`insert into subject_addresses (subject_id, address_id, kind, value_enc, blind_index, collection_point, purpose, collected_at, policy_version)
    select s, a, 'postal', v, b, 'seed', 'essential.service.account', now(), '2019-12-31'
    from unnest(${b.ids}::uuid[], ${b.aId}::uuid[], ${b.aValue}::text[], ${b.aIndex}::text[]) as t(s, a, v, b)`.execute(
    db,
  );
}

/**
 * The indexes and constraints of the loaded tables, dropped before the load and made again after
 * it (building an index once is much cheaper than keeping it up to date row by row). A key other
 * tables reference stays.
 */
async function dropIndexes(db: Kysely<Database>): Promise<string[]> {
  const { rows: constraints } = await sql<{ tbl: string; name: string; def: string; contype: string }>`
    select c.conrelid::regclass::text as tbl, c.conname as name, pg_get_constraintdef(c.oid) as def, c.contype
    from pg_constraint c
    where c.conrelid = any(${LOADED}::regclass[]) and c.contype in ('p', 'u', 'f')
      and not exists (select 1 from pg_constraint r where r.confrelid = c.conrelid and r.conrelid <> c.conrelid
        and r.contype = 'f' and c.contype in ('p', 'u'))
    order by case c.contype when 'f' then 1 else 0 end`.execute(db);
  const { rows: indexes } = await sql<{ name: string; def: string }>`
    select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
    from pg_index i
    where i.indrelid = any(${LOADED}::regclass[])
      and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`.execute(db);
  for (const c of [...constraints].reverse())
    await sql`alter table ${sql.id(c.tbl)} drop constraint ${sql.id(c.name)}`.execute(db);
  for (const i of indexes) await sql`drop index ${sql.raw(i.name)}`.execute(db);
  const keys = constraints.filter((c) => c.contype !== "f");
  const foreign = constraints.filter((c) => c.contype === "f");
  return [
    ...keys.map((c) => `alter table ${c.tbl} add constraint ${c.name} ${c.def}`),
    ...indexes.map((i) => i.def),
    ...foreign.map((c) => `alter table ${c.tbl} add constraint ${c.name} ${c.def}`),
  ];
}

/** Seeds `count` encrypted subjects; the next batch is made while the previous one is inserted. */
async function seed(db: Kysely<Database>, count: number): Promise<void> {
  const restore = await dropIndexes(db);
  let inserting: Promise<void> = Promise.resolve();
  for (let start = 0; start < count; start += BATCH) {
    const batch = makeBatch(start, Math.min(count, start + BATCH));
    await inserting;
    inserting = insertBatch(db, batch);
  }
  await inserting;
  for (const statement of restore) await sql.raw(statement).execute(db);
  await sql`create table bench_export_seed (rows integer not null)`.execute(db);
  await sql`insert into bench_export_seed (rows) values (${count})`.execute(db);
  await sql`analyze`.execute(db);
}

/** The rows an earlier run seeded, or null when it did not finish. */
async function seeded(db: Kysely<Database>): Promise<number | null> {
  try {
    const { rows } = await sql<{ rows: number }>`select rows from bench_export_seed`.execute(db);
    return rows[0]?.rows ?? null;
  } catch {
    return null;
  }
}

/** AES-256-GCM open of `v1.<iv>.<ciphertext‖tag>`, straight node:crypto. */
function openRaw(key: KeyObject, aad: string, sealed: string): Buffer {
  const [, iv, body] = sealed.split(".") as [string, string, string];
  const bytes = Buffer.from(body, "base64url");
  const d = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  d.setAAD(Buffer.from(aad, "utf8"));
  d.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([d.update(bytes.subarray(0, bytes.length - 16)), d.final()]);
}

/**
 * The peer: the same rows, one query per page, unwrap, decrypt, CSV. Returns rows written. The
 * page's ledger range is taken first: written as one flat join with `limit`, PostgreSQL may merge
 * join against the whole key table from its start on every page, which would make the peer slow
 * for reasons that have nothing to do with decrypting.
 */
async function rawLoop(
  db: Kysely<Database>,
  master: KeyObject,
  disclosureId: string,
  sink: (s: string) => void,
): Promise<number> {
  let after = "00000000-0000-0000-0000-000000000000";
  let n = 0;
  sink(csvLine(["first_name", "last_name", "postal_address", "zip"]));
  for (;;) {
    const { rows } = await sql<{
      subject_id: string;
      wrapped_key: string;
      fn: string | null;
      ln: string | null;
      zip: string | null;
      address_id: string | null;
      addr: string | null;
    }>`
      select ds.subject_id, k.wrapped_key,
        (select value_enc from subject_fields f where f.subject_id = ds.subject_id and f.field = 'first_name') as fn,
        (select value_enc from subject_fields f where f.subject_id = ds.subject_id and f.field = 'last_name') as ln,
        (select value_enc from subject_fields f where f.subject_id = ds.subject_id and f.field = 'zip') as zip,
        a.address_id, a.value_enc as addr
      from (select subject_id from disclosure_subjects
        where disclosure_id = ${disclosureId} and subject_id > ${after} order by subject_id limit ${PAGE}) ds
      join subject_keys k on k.subject_id = ds.subject_id
      left join lateral (select address_id, value_enc from subject_addresses x
        where x.subject_id = ds.subject_id and x.kind = 'postal' order by collected_at limit 1) a on true
      order by ds.subject_id`.execute(db);
    if (rows.length === 0) return n;
    let chunk = "";
    for (const r of rows) {
      const key = createSecretKey(openRaw(master, `pledge-dek\u0000${r.subject_id}\u0000k1`, r.wrapped_key));
      const dec = (field: string, v: string | null) =>
        v === null ? "" : openRaw(key, `${r.subject_id}\u0000${field}`, v).toString("utf8");
      let address = "";
      if (r.addr !== null && r.address_id !== null) {
        const a = JSON.parse(dec(`address.${r.address_id}`, r.addr)) as Record<string, string | null>;
        address = [a.line1, a.line2, a.city, `${a.region} ${a.postalCode}`, a.country]
          .filter((p) => p !== null && p !== "")
          .join(", ");
      }
      chunk += csvLine([dec("first_name", r.fn), dec("last_name", r.ln), address, dec("zip", r.zip)]);
      n++;
    }
    sink(chunk);
    after = (rows[rows.length - 1] as { subject_id: string }).subject_id;
  }
}

/** Opens the store with the seeded data, seeding it when no earlier run finished doing so. */
async function openSeeded(url: string | undefined): Promise<Store> {
  const reseed = process.env.BENCH_EXPORT_RESEED === "1";
  const dir = path.join(os.tmpdir(), `pledge-bench-export-${ROWS}`);
  const open = (): Promise<Store> =>
    url === undefined
      ? openStore({ kind: "pglite", dataDir: dir })
      : openStore({ kind: "postgres", url, schema: SCHEMA, poolSize: 4 });
  let store = await open();
  if (!reseed && (await seeded(store.db)) === ROWS) {
    await migrate(store);
    return store;
  }
  if (url === undefined) {
    await store.close();
    await rm(dir, { recursive: true, force: true });
    store = await open();
  } else {
    await sql`drop schema if exists ${sql.id(SCHEMA)} cascade`.execute(store.db);
    await sql`create schema ${sql.id(SCHEMA)}`.execute(store.db);
  }
  await migrate(store);
  const started = Date.now();
  await seed(store.db, ROWS);
  console.log(
    `export: seeded ${ROWS} encrypted subjects on ${url === undefined ? `PGlite (${dir})` : `PostgreSQL (schema ${SCHEMA})`} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  return store;
}

export async function run(): Promise<BenchResult[]> {
  const url = process.env.DATABASE_URL;
  const where = url === undefined ? "PGlite" : "PostgreSQL";
  const store = await openSeeded(url);
  try {
    const db = store.db;
    // The ledgers of earlier runs go, so every run writes into the same table sizes.
    await sql`delete from disclosure_subjects`.execute(db);
    await sql`delete from disclosures`.execute(db);
    await sql`vacuum analyze disclosure_subjects`.execute(db);
    await sql`insert into recipient_registry (recipient_id, legal_name, address, contract_ref, contract_signed_on, contract_expires_on, updated_at, updated_by)
      values ('marketing-partners', 'Partners', '1 Pier', 'P-1', '2020-01-01', null, ${AT}, 'system')
      on conflict do nothing`.execute(db);
    const vault = createVault(memoryKeyring("k1", { k1: MASTER }), createSecretKey(randomBytes(32)), {
      cacheSize: 1000,
    });
    const book = new PolicyBook(await loadPolicyHistory(path.join(root, "policies/zones")));
    const deps = { db, vault, policies: book, clock: () => AT, region: "us" };
    const acting = { actor: { kind: "system" as const, id: "system" }, attested: true };

    let pledgeMs = 0;
    let rawMs = 0;
    // Round 0 warms the caches for both sides and is not counted: Pledge reads first in a round.
    for (let round = 0; round <= ROUNDS; round++) {
      // Pledge: the whole export, ledger included; the body is consumed as a client would.
      let started = Date.now();
      const result = unwrap(
        await exportList(deps, acting, {
          recipient: "marketing-partners",
          purpose: "third_party_sharing.marketing",
          fields: ["first_name", "last_name", "postal_address", "zip", "email"],
          format: "csv",
          projection: true,
        }),
      );
      const ledger = Date.now() - started;
      let bytes = 0;
      let lines = -1;
      for await (const chunk of result.body) {
        const s = chunk as string;
        bytes += s.length;
        for (let i = s.indexOf("\n"); i !== -1; i = s.indexOf("\n", i + 1)) lines++;
      }
      const pledge = Date.now() - started;
      if (lines !== ROWS || result.removed.join() !== "email")
        throw new Error(`export wrote ${lines} rows, removed ${result.removed.join()}`);

      // Raw: the same rows (the ledger's), unwrap, decrypt, CSV.
      started = Date.now();
      let rawBytes = 0;
      const rawRows = await rawLoop(db, MASTER, result.disclosureId, (s) => (rawBytes += s.length));
      const raw = Date.now() - started;
      if (rawRows !== ROWS) throw new Error(`raw loop read ${rawRows} rows`);
      if (rawBytes !== bytes) throw new Error(`raw loop wrote ${rawBytes} bytes, Pledge ${bytes}`);
      console.log(
        `export ${round === 0 ? "warm-up (not counted)" : `round ${round}`}: Pledge ${pledge} ms (gate and ledger ${ledger} ms), raw ${raw} ms (${bytes} bytes each), load ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(" ")}`,
      );
      if (round === 0) continue;
      pledgeMs += pledge;
      rawMs += raw;
    }
    const pledgeRate = ((ROWS * ROUNDS) / pledgeMs) * 1000;
    const rawRate = ((ROWS * ROUNDS) / rawMs) * 1000;
    return [
      {
        name: `partner export, ${ROWS} rows, projection + decrypt (${where})`,
        value: pledgeRate,
        unit: "rows/s",
        peer: "raw decrypt + CSV loop",
        peerValue: rawRate,
        ratio: pledgeRate / rawRate,
        goal: "≥ 0.8× raw",
        pass: pledgeRate / rawRate >= 0.8,
      },
    ];
  } finally {
    await store.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) printResults(await run());
