import fc from "fast-check";
import { sql, type Kysely, type SqlBool } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  birthCutoff,
  compileAudience,
  compilePolicy,
  decide,
  explainAudience,
  type AudienceExplanation,
  type CompiledPolicy,
  type Reason,
  type Use,
  type UseFacts,
} from "../../src/gate/index.ts";
import { breakdownAudience, selectAudience } from "../../src/use/audience.ts";
import { audienceKey, buildKept, keptRows, sweepKept, type KeptAudience } from "../../src/use/kept.ts";
import { loadSubjectFacts } from "../../src/use/facts.ts";
import { identityKindOf } from "../../src/gate/facts.table.ts";
import { CHANNELS, MESSAGE_CLASSES } from "../../src/policy/schema.ts";
import type { Database } from "../../src/store/database.ts";
import type { Store } from "../../src/store/store.ts";
import { freshStore } from "../harness/store.ts";
import { fixturePack } from "./fixture.ts";

/**
 * One set of rules, two evaluators: for random subjects and random bulk uses, the subjects
 * compileAudience selects in SQL are exactly those for which decide(), on the facts
 * loadSubjectFacts reads back, does not refuse.
 */
const base = fixturePack();
const POLICIES: CompiledPolicy[] = [
  compilePolicy(base),
  compilePolicy({
    ...base,
    version: "contactable",
    messages: { ...base.messages, former_customers: "contactable" },
  }),
];
const SCOPES = [
  "marketing.email",
  "marketing.postal",
  "partner.sharing",
  "data.sale",
  "affiliate.conversion",
  "newsletter",
  "catalogues",
  "service.fulfil",
];
const FIELDS = ["email", "first_name", "street", "card_token", "page_views"];
const INSTANTS = ["2026-06-01T12:00:00Z", "2024-02-29T23:30:00Z", "2031-01-01T00:00:00Z"];
/** Birth dates on either side of the 13th birthday at each instant, where an off-by-one would show. */
const BOUNDARY_BIRTHS = INSTANTS.flatMap((at) => {
  const cutoff = Date.parse(birthCutoff(at, 13));
  return [-1, 0, 1].map((d) => new Date(cutoff + d * 86_400_000).toISOString().slice(0, 10));
});

interface GenSubject {
  status: "customer" | "prospect" | "former";
  birth: string | null;
  jurisdiction: string | null;
  consents: { scope: string; channel: string; state: "granted" | "withdrawn" | "objected" }[];
  optOuts: string[];
  permissions: ("card_reuse" | "sale" | "affiliate_identity")[];
  /** The subject's identities: a kind and a slot; the blind index is `bi-<subject>-<slot>`. */
  identities: { kind: "email" | "phone" | "postal"; slot: number }[];
}

/** A Do Not Send entry: a channel and the blind index `bi-<subject>-<slot>`. */
interface GenEntry {
  channel: (typeof CHANNELS)[number];
  subject: number;
  slot: number;
}

// An address belongs to one subject (subject_identities is unique on kind and blind index), but
// the same index under two kinds is allowed: an email identity and a phone entry with the same
// index must not meet. Three slots per subject keep hits frequent.
const SLOTS = [0, 1, 2];
const indexOf = (subject: number, slot: number): string => `bi-${subject}-${slot}`;

const subjectArb: fc.Arbitrary<GenSubject> = fc.record({
  status: fc.constantFrom("customer", "prospect", "former"),
  birth: fc.option(
    fc.oneof(
      fc
        .date({ min: new Date("2010-01-01"), max: new Date("2020-12-31"), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
      fc.constantFrom(...BOUNDARY_BIRTHS),
    ),
    { freq: 4 },
  ),
  jurisdiction: fc.constantFrom(null, "US", "US-CA", "EU"),
  consents: fc.uniqueArray(
    fc.record({
      scope: fc.constantFrom(...SCOPES),
      channel: fc.constantFrom("", "", ...CHANNELS),
      state: fc.constantFrom("granted", "granted", "withdrawn", "objected"),
    }),
    { maxLength: 8, selector: (c) => `${c.scope}:${c.channel}` },
  ),
  optOuts: fc.subarray(["partner_sharing", "catalogues"]),
  permissions: fc.subarray(["card_reuse", "sale", "affiliate_identity"] as const),
  identities: fc.uniqueArray(
    fc.record({ kind: fc.constantFrom("email", "phone", "postal"), slot: fc.constantFrom(...SLOTS) }),
    { maxLength: 4, selector: (i) => `${i.kind}:${i.slot}` },
  ),
});

const entriesArb: fc.Arbitrary<GenEntry[]> = fc.uniqueArray(
  fc.record({
    channel: fc.constantFrom(...CHANNELS),
    subject: fc.integer({ min: 0, max: 29 }),
    slot: fc.constantFrom(...SLOTS),
  }),
  { minLength: 30, maxLength: 120, selector: (e) => `${e.channel}:${e.subject}:${e.slot}` },
);

/** Bulk uses that pass the subject-independent rules, so the audience is worth comparing. */
const TEMPLATES: Partial<Use>[] = [
  { action: "send", purpose: "marketing.email", channel: "email", fields: ["email"] },
  { action: "send", purpose: "marketing.email", channel: "email", topic: "newsletter", fields: ["email"] },
  {
    action: "send",
    purpose: "marketing.postal",
    channel: "catalogue",
    topic: "catalogues",
    fields: ["street"],
  },
  {
    action: "export",
    purpose: "marketing.postal",
    channel: "postal",
    recipient: "mail-house",
    fields: ["first_name", "street"],
  },
  { action: "send", purpose: "service.fulfil", channel: "email", messageClass: "service", fields: ["email"] },
  { action: "export", purpose: "partner.sharing", recipient: "partner", fields: ["first_name", "street"] },
  { action: "export", purpose: "data.sale", recipient: "data-buyer", fields: ["email"] },
  { action: "disclose", purpose: "affiliate.conversion", recipient: "affiliate-net", fields: ["email"] },
  { action: "charge", purpose: "billing.recurring", fields: ["card_token"] },
  { action: "collect", purpose: "service.fulfil", fields: ["email"] },
  {
    action: "read",
    purpose: "marketing.email",
    channel: "email",
    fields: ["email", "street"],
    projection: true,
  },
];

const randomUse: fc.Arbitrary<Partial<Use>> = fc.record({
  action: fc.constantFrom("send", "export", "disclose", "read", "collect", "charge", "analyse"),
  purpose: fc.constantFrom(...base.purposes.map((p) => p.id)),
  recipient: fc.option(fc.constantFrom(...base.recipients.map((r) => r.id)), { nil: undefined }),
  channel: fc.option(fc.constantFrom(...CHANNELS), { nil: undefined }),
  messageClass: fc.option(fc.constantFrom(...MESSAGE_CLASSES), { nil: undefined }),
  topic: fc.option(fc.constantFrom("newsletter", "catalogues"), { nil: undefined }),
  fields: fc.subarray(FIELDS, { minLength: 1 }),
  projection: fc.boolean(),
  aggregate: fc.boolean(),
});

const useArb: fc.Arbitrary<Use> = fc
  .record({
    shape: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...TEMPLATES) },
      { weight: 1, arbitrary: randomUse },
    ),
    at: fc.constantFrom(...INSTANTS),
    ground: fc.option(fc.constantFrom("subpoena", "curiosity"), { nil: undefined }),
  })
  .map(
    ({ shape, at, ground }) =>
      ({ actor: { kind: "system", id: "campaigns" }, fields: [], ...shape, at, ground }) as Use,
  );

const useFactsArb: fc.Arbitrary<UseFacts> = fc.record({
  actorAttested: fc.constant(true),
  recipientContractOnFile: fc.oneof(
    { weight: 5, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
  deploymentRegion: fc.constant("us"),
});

const idOf = (i: number): string => `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;

async function fill(
  db: Kysely<Database>,
  subjects: readonly GenSubject[],
  entries: readonly GenEntry[],
): Promise<void> {
  for (const table of [
    "suppression_list",
    "subject_identities",
    "subject_permissions",
    "subject_opt_outs",
    "subject_consents",
    "subjects",
  ] as const) {
    await db.deleteFrom(table).execute();
  }
  const rows = <T>(f: (s: GenSubject, id: string) => T[]): T[] => subjects.flatMap((s, i) => f(s, idOf(i)));
  await db
    .insertInto("subjects")
    .values(
      rows((s, id) => [
        { subject_id: id, status: s.status, birth_date: s.birth, jurisdiction: s.jurisdiction },
      ]),
    )
    .execute();
  const consents = rows((s, subject_id) =>
    s.consents.map((c) => ({ subject_id, scope: c.scope, channel: c.channel as "", state: c.state })),
  );
  if (consents.length > 0) await db.insertInto("subject_consents").values(consents).execute();
  const optOuts = rows((s, subject_id) => s.optOuts.map((scope) => ({ subject_id, scope })));
  if (optOuts.length > 0) await db.insertInto("subject_opt_outs").values(optOuts).execute();
  const permissions = rows((s, subject_id) =>
    s.permissions.map((permission) => ({ subject_id, permission })),
  );
  if (permissions.length > 0) await db.insertInto("subject_permissions").values(permissions).execute();
  const identities = subjects.flatMap((s, n) =>
    s.identities.map((i) => ({
      subject_id: idOf(n),
      kind: i.kind,
      blind_index: indexOf(n, i.slot),
      value_enc: "x",
    })),
  );
  if (identities.length > 0) await db.insertInto("subject_identities").values(identities).execute();
  const listed = entries.map((e) => ({
    channel: e.channel,
    address_index: indexOf(e.subject, e.slot),
    reason: "unsubscribe" as const,
    source: "web" as const,
    created_at: new Date(0),
    created_by: "system",
  }));
  if (listed.length > 0) await db.insertInto("suppression_list").values(listed).execute();
}

/** For each subject not erased, in id order: the index of the first part it fails, or -1. */
async function firstFailing(db: Kysely<Database>, explanation: AudienceExplanation): Promise<number[]> {
  const columns = explanation.parts.map((p, i) => sql<boolean>`${p.where}`.as(`p${i}`));
  const rows = await db
    .selectFrom("subjects")
    .where("subjects.erased_at", "is", null)
    .select([sql<string>`subjects.subject_id`.as("id"), ...columns])
    .orderBy("subjects.subject_id")
    .execute();
  return rows.map((r) =>
    explanation.parts.findIndex((_, i) => (r as Record<string, unknown>)[`p${i}`] !== true),
  );
}

/**
 * The same audience kept (src/use/kept.ts): `standing and aged(birth_date)` is `where`; built
 * from `standing`, read as campaigns read it, with some people marked stale (decided live) and
 * then swept, it selects `expected` each time.
 */
async function expectKeptSelects(
  db: Kysely<Database>,
  policy: CompiledPolicy,
  use: Use,
  explained: AudienceExplanation,
  expected: string[],
): Promise<void> {
  const split = sql<SqlBool>`(${explained.standing} and ${explained.aged(sql`subjects.birth_date`)})`;
  expect(await selectAudience(db, { decision: explained.decision, where: split })).toEqual(expected);
  if (explained.decision.outcome === "deny") return;
  const kept: KeptAudience = {
    key: audienceKey(explained.standing),
    description: { purpose: use.purpose, channel: use.channel ?? "", topic: use.topic ?? null },
    standing: explained.standing,
  };
  await buildKept(db, [kept], policy.version, new Date());
  const read = () =>
    db.transaction().execute(async (trx) => {
      const rows = await keptRows(trx, explained, policy.version);
      if (rows === null) throw new Error("a built audience is not read from its rows");
      const found = await trx.selectFrom(rows.as("k")).select("k.subject_id").execute();
      return found.map((r) => r.subject_id).sort();
    });
  expect(await read()).toEqual(expected);
  // People marked as if a write had left their rows behind: read live, then swept.
  const marked = (await db.selectFrom("subjects").select("subject_id").execute())
    .map((r) => r.subject_id)
    .filter((_, i) => i % 3 === 0);
  await db.deleteFrom("audience_members").where("subject_id", "in", marked).execute();
  await db
    .insertInto("audience_stale")
    .values(marked.map((subject_id) => ({ subject_id })))
    .execute();
  expect(await read()).toEqual(expected);
  await sweepKept(db, [kept]);
  expect(await db.selectFrom("audience_stale").selectAll().execute()).toEqual([]);
  expect(await read()).toEqual(expected);
}

describe("compileAudience and decide agree", () => {
  let store: Store;
  beforeAll(async () => {
    store = await freshStore();
  });
  afterAll(async () => {
    await store?.close();
  });

  it("selects exactly the subjects decide() does not refuse", async () => {
    let selectedTotal = 0;
    let refusedTotal = 0;
    let suppressedRefusals = 0;
    let reasonsCompared = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(subjectArb, { minLength: 30, maxLength: 30 }),
        entriesArb,
        fc.array(fc.tuple(fc.constantFrom(0, 1), useFactsArb, useArb), { minLength: 6, maxLength: 6 }),
        async (subjects, entries, uses) => {
          const db = store.db;
          await fill(db, subjects, entries);
          const loaded = new Map<string, Awaited<ReturnType<typeof loadSubjectFacts>>>();
          const factsOf = async (i: number, at: string) => {
            const key = `${i}@${at}`;
            if (!loaded.has(key)) loaded.set(key, await loadSubjectFacts(db, idOf(i), at));
            return loaded.get(key) ?? null;
          };
          // A subject is suppressed on c when an identity of c's kind has its index listed for c.
          for (let i = 0; i < subjects.length; i++) {
            const own = (subjects[i] as GenSubject).identities;
            const expected = CHANNELS.filter((c) =>
              own.some(
                (id) =>
                  id.kind === identityKindOf(c) &&
                  entries.some((e) => e.channel === c && e.subject === i && e.slot === id.slot),
              ),
            );
            expect([...((await factsOf(i, INSTANTS[0] as string))?.suppressed ?? [])].sort()).toEqual(
              [...expected].sort(),
            );
          }
          for (const [which, useFacts, use] of uses) {
            const policy = POLICIES[which] as CompiledPolicy;
            const audience = compileAudience(policy, useFacts, use);
            const explained = explainAudience(policy, useFacts, use);
            // explainAudience's predicate is compileAudience's, built from the same parts.
            expect(explained.decision).toEqual(audience.decision);
            expect(explained.where.toOperationNode()).toEqual(audience.where.toOperationNode());
            const selected = await selectAudience(db, audience);
            const failing = await firstFailing(db, explained);
            const breakdown = await breakdownAudience(db, explained);
            const expected: string[] = [];
            const excluded = explained.parts.map(() => 0);
            for (let i = 0; i < subjects.length; i++) {
              const subject = await factsOf(i, use.at);
              const d = decide(policy, { ...useFacts, subject }, use);
              const failed = failing[i] as number;
              if (d.outcome !== "deny") {
                expected.push(idOf(i));
                expect(d.fields).toEqual(audience.decision.fields);
                expect(failed).toBe(-1);
              } else if (audience.decision.outcome !== "deny") {
                // Refused for who the person is: the first part it fails gives the gate's reason.
                expect(failed).toBeGreaterThanOrEqual(0);
                expect(explained.parts[failed]?.reason).toEqual(d.reasons[0] as Reason);
                excluded[failed] = (excluded[failed] as number) + 1;
                reasonsCompared++;
                if (d.reasons.some((r) => r.code === "suppressed")) suppressedRefusals++;
              } else {
                expect(explained.parts).toEqual([]);
              }
            }
            expect(selected).toEqual(expected);
            await expectKeptSelects(db, policy, use, explained, expected);
            expect(breakdown.audience).toBe(expected.length);
            expect(breakdown.excluded.map((x) => x.count)).toEqual(excluded);
            selectedTotal += selected.length;
            if (audience.decision.outcome !== "deny") refusedTotal += subjects.length - selected.length;
          }
        },
      ),
      { numRuns: 50 },
    );
    // The comparison means something only if both sides of the line were exercised.
    expect(selectedTotal).toBeGreaterThan(100);
    expect(refusedTotal).toBeGreaterThan(100);
    expect(suppressedRefusals).toBeGreaterThan(10);
    expect(reasonsCompared).toBeGreaterThan(100);
  });
});
