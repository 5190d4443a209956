import { createHash } from "node:crypto";
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  type Expression,
  type RawBuilder,
  type SqlBool,
  type Transaction,
} from "kysely";
import type { CompiledPolicy } from "../gate/compiled.ts";
import { identityKindOf } from "../gate/facts.table.ts";
import { explainAudience, type AudienceExplanation } from "../gate/sql.ts";
import type { Use } from "../gate/types.ts";
import type { Channel, PolicyPack } from "../policy/schema.ts";
import type { Database } from "../store/database.ts";
import type { KeptDescription } from "./kept.table.ts";

/**
 * Kept audiences: who each marketing send the pack allows may reach, kept as rows so that a
 * campaign over millions of people reads an index instead of deciding every person again.
 *
 * The rows are the gate's own answer, not a copy of its rules: an audience is the set of people
 * meeting `standing`, the predicate `explainAudience` compiles for the send minus the rules that
 * move with the clock (age, applied when the rows are read), and its key is a digest of that
 * predicate's SQL and parameters. A pack version that changes a rule changes the key, and an
 * audience not built for the version in force is not read: the campaign decides everyone
 * through the predicate, as it would without kept audiences.
 *
 * Kept exact, in the transaction of every change: a write that can change what the gate reads
 * about a person (a use that writes about them, an erasure, a consent recorded outside a use, a
 * change of the Do Not Send list for the people holding the address) marks the person stale in
 * `audience_stale`, one insert. Reading an audience (`keptRows`) takes its rows for the people
 * not marked and decides the marked ones through the predicate, in one statement, so what it
 * reads is exactly what the predicate selects at that instant. A sweep (`sweepKept`, every few
 * seconds on a server, one node at a time) works the marked people's rows out again in batches
 * and clears the marks it read before; a mark made meanwhile stays for the next one. A build
 * fills an audience from scratch from the predicate: a server builds those not built for the
 * version in force (`buildMissing`), `pledge audiences build` rebuilds all (`buildKept`).
 */

/** An audience the pack's sends are kept for. */
export interface KeptAudience {
  readonly key: string;
  readonly description: KeptDescription;
  /** The gate's standing predicate over `subjects` (unaliased). */
  readonly standing: Expression<SqlBool>;
}

/** Compiles predicates into text for their digest; it never connects to anything. */
const compiler = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/** The key of the audience meeting `standing`: a digest of its SQL text and parameters. */
export function audienceKey(standing: Expression<SqlBool>): string {
  const query = compiler
    .selectFrom("subjects")
    .select(sql`1`.as("one"))
    .where(standing)
    .compile();
  const digest = createHash("sha256").update(query.sql).update("\0").update(JSON.stringify(query.parameters));
  return digest.digest("hex").slice(0, 32);
}

const keptByPolicy = new WeakMap<CompiledPolicy, Map<string, readonly KeptAudience[]>>();

/**
 * The audiences kept under a policy: a marketing send for each purpose on each channel it lists,
 * and for each topic on each of its channels, as a campaign asks for it (`send`, class
 * `marketing`), keeping those the gate allows outright and one audience per distinct predicate.
 */
export function keptAudiences(
  policy: CompiledPolicy,
  pack: PolicyPack,
  region: string,
): readonly KeptAudience[] {
  let byRegion = keptByPolicy.get(policy);
  const cached = byRegion?.get(region);
  if (cached !== undefined) return cached;
  const sends: KeptDescription[] = [];
  for (const purpose of pack.purposes) {
    if (!(purpose.message_classes ?? ["marketing"]).includes("marketing")) continue;
    for (const channel of purpose.channels ?? []) sends.push({ purpose: purpose.id, channel, topic: null });
  }
  for (const topic of pack.topics) {
    for (const channel of topic.channels) sends.push({ purpose: topic.purpose, channel, topic: topic.id });
  }
  const facts = { actorAttested: true, recipientContractOnFile: null, deploymentRegion: region };
  const kept = new Map<string, KeptAudience>();
  for (const description of sends) {
    const explained = explainAudience(policy, facts, sendOf(description, new Date(0).toISOString()));
    if (explained.decision.outcome === "deny") continue;
    const key = audienceKey(explained.standing);
    if (!kept.has(key)) kept.set(key, { key, description, standing: explained.standing });
  }
  const audiences = [...kept.values()];
  if (byRegion === undefined) keptByPolicy.set(policy, (byRegion = new Map()));
  byRegion.set(region, audiences);
  return audiences;
}

function sendOf(d: KeptDescription, at: string): Use {
  return {
    action: "send",
    purpose: d.purpose,
    channel: d.channel as Channel,
    messageClass: "marketing",
    fields: [],
    actor: { kind: "system", id: "campaigns" },
    at,
    ...(d.topic === null ? {} : { topic: d.topic }),
  };
}

/** Keeps sweeps and builds to one at a time across every node (a transaction-level advisory lock). */
const SWEEP_LOCK = sql`pg_advisory_xact_lock(hashtext('pledge.kept_audiences'))`;

/**
 * Works out again the rows of the people behind up to `batch` marks. The marks are read first and
 * only those are cleared, after the rows are worked out from what is committed then: a change
 * leaves its mark in its own transaction, so a cleared mark's change is in the rows, and a mark
 * made meanwhile stays for the next sweep. Sweeps and builds run one at a time (an advisory
 * lock), so an older reading never overwrites a newer one. Returns the marks cleared.
 */
async function sweepBatch(
  db: Kysely<Database>,
  audiences: readonly KeptAudience[],
  batch: number,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await sql`select ${SWEEP_LOCK}`.execute(trx);
    const marked = await trx
      .selectFrom("audience_stale")
      .select(["subject_id", "mark"])
      .limit(batch)
      .execute();
    if (marked.length === 0) return 0;
    const ids = [...new Set(marked.map((m) => m.subject_id))];
    const marks = marked.map((m) => m.mark);
    const these = sql`any(cast(${ids} as uuid[]))`;
    const fresh =
      audiences.length === 0
        ? sql`select cast(null as text) as audience, cast(null as uuid) as subject_id, cast(null as date) as birth_date where false`
        : sql.join(
            audiences.map(
              (a) => sql`select cast(${a.key} as text) as audience, subjects.subject_id, subjects.birth_date
                from subjects where subjects.subject_id = ${these} and ${a.standing}`,
            ),
            sql` union all `,
          );
    await sql`with fresh as (${fresh}),
      seen as (delete from audience_stale where subject_id = ${these} and mark = any(cast(${marks} as uuid[]))),
      gone as (delete from audience_members m where m.subject_id = ${these}
        and not exists (select 1 from fresh f where f.subject_id = m.subject_id and f.audience = m.audience))
      insert into audience_members (subject_id, audience, birth_date)
      select subject_id, audience, birth_date from fresh
      on conflict (subject_id, audience) do update set birth_date = excluded.birth_date
        where audience_members.birth_date is distinct from excluded.birth_date`.execute(trx);
    return marked.length;
  });
}

/** Sweeps until no one is marked (or `maxBatches` ran); returns the marks cleared. */
export async function sweepKept(
  db: Kysely<Database>,
  audiences: readonly KeptAudience[],
  options: { batch?: number; maxBatches?: number } = {},
): Promise<number> {
  const batch = options.batch ?? 2000;
  let done = 0;
  for (let i = 0; i < (options.maxBatches ?? Infinity); i++) {
    const n = await sweepBatch(db, audiences, batch);
    done += n;
    if (n < batch) break;
  }
  return done;
}

/**
 * Marks the people holding addresses whose place on the Do Not Send list changed: they are read
 * through the gate's predicate until swept.
 */
export async function markStale(
  trx: Transaction<Database>,
  entries: readonly { readonly channel: Channel; readonly addressIndex: string }[],
): Promise<void> {
  const byKind = new Map<string, string[]>();
  for (const e of entries) {
    const kind = identityKindOf(e.channel);
    const indexes = byKind.get(kind) ?? [];
    indexes.push(e.addressIndex);
    byKind.set(kind, indexes);
  }
  for (const [kind, indexes] of byKind) {
    for (let i = 0; i < indexes.length; i += 1000) {
      await sql`insert into audience_stale (subject_id)
        select i.subject_id from subject_identities i
        where i.kind = ${kind} and i.blind_index = any(cast(${indexes.slice(i, i + 1000)} as text[]))`.execute(
        trx,
      );
    }
  }
}

/**
 * The audience as rows of `subject_id`, read from its kept rows when it is built for the policy
 * version in force; null when it is not (the caller selects with the predicate). People marked
 * stale are decided by the predicate itself, in the same statement, so the rows are exactly
 * those `explanation.where` selects.
 */
export async function keptRows(
  trx: Transaction<Database>,
  explanation: AudienceExplanation,
  policyVersion: string,
): Promise<RawBuilder<{ subject_id: string }> | null> {
  if (explanation.decision.outcome === "deny") return null;
  const key = audienceKey(explanation.standing);
  const built = await trx
    .selectFrom("kept_audiences")
    .select("policy_version")
    .where("audience", "=", key)
    .executeTakeFirst();
  if (built?.policy_version !== policyVersion) return null;
  return sql<{ subject_id: string }>`(select m.subject_id from audience_members m
      where m.audience = ${key} and ${explanation.aged(sql`m.birth_date`)}
        and not exists (select 1 from audience_stale st where st.subject_id = m.subject_id)
    union all
    select subjects.subject_id from subjects
      where subjects.subject_id in (select st.subject_id from audience_stale st) and ${explanation.where})`;
}

/** What a build did for one audience. */
export interface BuiltAudience {
  readonly key: string;
  readonly description: KeptDescription;
  readonly members: number;
}

/**
 * Builds every audience kept under the policy from scratch, one transaction each, and forgets
 * the rows of audiences it no longer keeps. A change committed before a build's insert reads is
 * in its rows; one committed after left a mark, and is read live until swept. Sweeps wait.
 */
export async function buildKept(
  db: Kysely<Database>,
  audiences: readonly KeptAudience[],
  policyVersion: string,
  now: Date,
): Promise<BuiltAudience[]> {
  const built: BuiltAudience[] = [];
  for (const a of audiences) built.push((await buildOne(db, a, policyVersion, now, false))!);
  const keys = audiences.map((a) => a.key);
  await db.transaction().execute(async (trx) => {
    let gone = trx.deleteFrom("kept_audiences");
    let rows = trx.deleteFrom("audience_members");
    if (keys.length > 0) {
      gone = gone.where("audience", "not in", keys);
      rows = rows.where("audience", "not in", keys);
    }
    await gone.execute();
    await rows.execute();
  });
  return built;
}

/**
 * Builds the audiences of the policy that are not built for its version: what a server does on
 * its sweep, so that a new store or a pack version taking effect needs no one to run a command.
 * Each is checked again under the lock, so two nodes never build one twice. Rows of audiences no
 * longer kept are left to `buildKept` (a node whose book has not yet loaded a newly published
 * version would otherwise forget what the others build).
 */
export async function buildMissing(
  db: Kysely<Database>,
  audiences: readonly KeptAudience[],
  policyVersion: string,
  now: Date,
): Promise<BuiltAudience[]> {
  const have = await builtFor(db, policyVersion);
  const built: BuiltAudience[] = [];
  for (const a of audiences.filter((x) => !have.has(x.key))) {
    const one = await buildOne(db, a, policyVersion, now, true);
    if (one !== null) built.push(one);
  }
  return built;
}

async function builtFor(
  db: Kysely<Database> | Transaction<Database>,
  policyVersion: string,
): Promise<Set<string>> {
  const rows = await db
    .selectFrom("kept_audiences")
    .select("audience")
    .where("policy_version", "=", policyVersion)
    .execute();
  return new Set(rows.map((r) => r.audience));
}

/** One audience built from scratch under the lock; null when `unlessBuilt` and it already is. */
async function buildOne(
  db: Kysely<Database>,
  a: KeptAudience,
  policyVersion: string,
  now: Date,
  unlessBuilt: boolean,
): Promise<BuiltAudience | null> {
  const members = await db.transaction().execute(async (trx) => {
    await sql`select ${SWEEP_LOCK}`.execute(trx);
    if (unlessBuilt && (await builtFor(trx, policyVersion)).has(a.key)) return null;
    await trx.deleteFrom("audience_members").where("audience", "=", a.key).execute();
    const inserted = await sql`insert into audience_members (subject_id, audience, birth_date)
      select subjects.subject_id, ${a.key}, subjects.birth_date from subjects where ${a.standing}`.execute(
      trx,
    );
    const count = Number(inserted.numAffectedRows ?? 0);
    const row = {
      policy_version: policyVersion,
      description: JSON.stringify(a.description),
      members: count,
      built_at: now,
    };
    await trx
      .insertInto("kept_audiences")
      .values({ audience: a.key, ...row })
      .onConflict((oc) => oc.column("audience").doUpdateSet(row))
      .execute();
    return count;
  });
  return members === null ? null : { key: a.key, description: a.description, members };
}

/** How far an audience's rows are from what its predicate selects now. */
export interface KeptCheck {
  readonly key: string;
  readonly description: KeptDescription;
  /** Built for the policy version in force; when false, campaigns do not read its rows. */
  readonly built: boolean;
  readonly members: number;
  /** People the predicate selects with no row (people marked stale aside: they are read live). */
  readonly missing: number;
  /** Rows of people the predicate does not select, or with another birth date. */
  readonly extra: number;
}

/** Compares each kept audience's rows with its predicate, reading everyone: for operators and tests. */
export async function checkKept(
  db: Kysely<Database>,
  audiences: readonly KeptAudience[],
  policyVersion: string,
): Promise<KeptCheck[]> {
  const checks: KeptCheck[] = [];
  for (const a of audiences) {
    const notStale = (column: RawBuilder<unknown>) =>
      sql`not exists (select 1 from audience_stale st where st.subject_id = ${column})`;
    const { rows } = await sql<{ members: string; missing: string; extra: string; version: string | null }>`
      select
        (select count(*) from audience_members m where m.audience = ${a.key}) as members,
        (select count(*) from subjects where ${a.standing} and ${notStale(sql`subjects.subject_id`)}
          and not exists (select 1 from audience_members m
            where m.audience = ${a.key} and m.subject_id = subjects.subject_id)) as missing,
        (select count(*) from audience_members m where m.audience = ${a.key} and ${notStale(sql`m.subject_id`)}
          and not exists (select 1 from subjects where subjects.subject_id = m.subject_id and ${a.standing}
            and subjects.birth_date is not distinct from m.birth_date)) as extra,
        (select policy_version from kept_audiences k where k.audience = ${a.key}) as version`.execute(db);
    const row = rows[0]!;
    checks.push({
      key: a.key,
      description: a.description,
      built: row.version === policyVersion,
      members: Number(row.members),
      missing: Number(row.missing),
      extra: Number(row.extra),
    });
  }
  return checks;
}

/**
 * Marks people whose facts a write changed (a use that wrote about them, an erasure, an
 * unsubscribe link, a fulfilled request, a GPC signal): they are read through the gate's
 * predicate until swept.
 */
export async function markPeopleStale(
  trx: Transaction<Database>,
  subjectIds: readonly string[],
): Promise<void> {
  if (subjectIds.length === 0) return;
  await trx
    .insertInto("audience_stale")
    .values(subjectIds.map((subject_id) => ({ subject_id })))
    .execute();
}
