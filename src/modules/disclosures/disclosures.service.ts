import { jsonArrayFrom } from "kysely/helpers/postgres";
import { sql, type Kysely, type Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import { decide, loadSubjectFacts, type Use } from "../../gate/index.ts";
import { PledgeError } from "../../http/errors.ts";
import type { Database } from "../../store/database.ts";
import { subquery } from "../subjects/sections.ts";
import { disclosedRecords, isRecordField } from "../exports/records.ts";
import { clausesOf, decisionEvent } from "../subjects/subjects.gate.ts";
import { NOT_FOUND_DETAIL } from "../subjects/subjects.http.ts";
import { auditActor, type Acting } from "../subjects/subjects.ts";
import {
  categoriesOf,
  askedFields,
  refusedByUse,
  refusedError,
  useFactsFor,
  type DisclosureDeps,
} from "./context.ts";
import "./disclosures.events.ts";
import { recordDisclosure } from "./ledger.ts";

/** Kinds of recipient that are third parties using data for their own direct marketing (Z19-10). */
export const THIRD_PARTY_MARKETING = ["marketing_partner", "affiliate"] as const;

export interface ShareInput {
  readonly subjectId: string;
  readonly recipient: string;
  readonly purpose: string;
  readonly fields: readonly string[];
}

export interface Share {
  readonly disclosureId: string;
  readonly subjectId: string;
  readonly recipient: string;
  readonly purpose: string;
  readonly fields: readonly string[];
  readonly removed: readonly string[];
  readonly clauses: readonly string[];
  /** The values that left, by field ('' when the record has none). */
  readonly values: Readonly<Record<string, string>>;
}

/**
 * One customer's data for one recipient and one purpose (a processor serving that customer,
 * Z16-10, Z19-04; the customer's own organisation, ZM-15): the gate decides with the person's
 * facts and the contract on file; the ledger row is written with the audit events in one
 * transaction, and the values are read back through the ledger.
 */
export async function shareSubject(deps: DisclosureDeps, acting: Acting, input: ShareInput): Promise<Share> {
  const now = deps.clock();
  const at = now.toISOString();
  const { pack, policy } = deps.policies.at(at);
  const fields = askedFields(pack, policy.fieldCategory, input.recipient, input.fields);
  const use: Use = {
    action: "disclose",
    purpose: input.purpose,
    actor: acting.actor,
    recipient: input.recipient,
    fields,
    at,
  };
  const facts = await useFactsFor(deps, acting, input.recipient, now);
  const subject = await loadSubjectFacts(deps.db, input.subjectId, at);
  const decision = decide(policy, { ...facts, subject }, use);
  if (decision.outcome === "deny") {
    await deps.db
      .transaction()
      .execute((trx) =>
        appendAudit(trx, [decisionEvent(acting, subject === null ? null : input.subjectId, use, decision)]),
      );
    if (refusedByUse(decision)) throw refusedError(decision);
    throw new PledgeError("PLEDGE_NOT_FOUND", NOT_FOUND_DETAIL);
  }
  for (const f of decision.fields) {
    if (!isRecordField(f))
      throw new PledgeError(
        "PLEDGE_UNKNOWN_FIELD",
        `field ${f} is not kept in the customer record, so it cannot be shared`,
      );
  }
  const disclosureId = await deps.db.transaction().execute(async (trx) => {
    const written = await ledgerWrite(trx, deps, acting, use, "share", decision.fields, decision.removed, [
      input.subjectId,
    ]);
    await appendAudit(trx, [decisionEvent(acting, input.subjectId, use, decision)]);
    return written;
  });
  const values: Record<string, string> = {};
  for await (const page of disclosedRecords(deps.db, deps.vault, disclosureId, decision.fields)) {
    const row = page.rows[0];
    if (row !== undefined) decision.fields.forEach((f, i) => (values[f] = row[i] as string));
  }
  return {
    disclosureId,
    subjectId: input.subjectId,
    recipient: input.recipient,
    purpose: input.purpose,
    fields: decision.fields,
    removed: decision.removed,
    clauses: clausesOf(decision),
    values,
  };
}

/** Writes a ledger row for an allowed use, and its `disclosure.recorded` audit event. */
export async function ledgerWrite(
  trx: Transaction<Database>,
  deps: DisclosureDeps,
  acting: Acting,
  use: Use,
  kind: "share" | "conversion" | "export",
  fields: readonly string[],
  removed: readonly string[],
  subjects: readonly string[],
): Promise<string> {
  const at = new Date(use.at);
  const { policy } = deps.policies.at(use.at);
  const recipient = policy.recipients.get(use.recipient ?? "");
  const { disclosureId, subjectCount } = await recordDisclosure(
    trx,
    {
      recipientId: use.recipient ?? "",
      recipientKind: recipient?.kind ?? "processor",
      kind,
      purpose: use.purpose,
      ground: use.ground ?? policy.purposes.get(use.purpose)?.basis ?? "",
      fields,
      categories: categoriesOf(policy.fieldCategory, fields),
      policyVersion: policy.version,
      actor: auditActor(acting.actor),
      at,
    },
    subjects,
  );
  await appendAudit(trx, [
    {
      type: "disclosure.recorded",
      at,
      actor: auditActor(acting.actor),
      subjectId: subjects.length === 1 ? (subjects[0] as string) : null,
      payload: {
        disclosureId,
        recipient: use.recipient ?? "",
        kind,
        purpose: use.purpose,
        fields: [...fields],
        removed: [...removed],
        count: subjectCount,
      },
    },
  ]);
  return disclosureId;
}

/** One disclosure as a person's record and the reports show it. */
export interface LedgerEntry {
  readonly disclosureId: string;
  readonly recipient: string;
  readonly recipientName: string;
  readonly recipientKind: string;
  readonly kind: string;
  readonly purpose: string;
  readonly ground: string;
  readonly fields: readonly string[];
  readonly categories: readonly string[];
  readonly policyVersion: string;
  readonly at: string;
}

/** Every disclosure that concerned the person, oldest first (ALL-04: who it was given to). */
export async function subjectLedger(
  db: Kysely<Database>,
  subjectId: string,
  names: (recipientId: string) => string,
): Promise<LedgerEntry[]> {
  const row = await db.selectNoFrom(ledgerJson(subjectId).as("ledger")).executeTakeFirstOrThrow();
  return ledgerEntries(row.ledger as LedgerJson[], names);
}

/** A ledger row as `ledgerJson` gives it. */
export interface LedgerJson {
  disclosure_id: string;
  recipient_id: string;
  recipient_kind: string;
  kind: string;
  purpose: string;
  ground: string;
  fields: string[];
  categories: string[];
  policy_version: string;
  at: string;
  legal_name: string | null;
}

/** The person's ledger rows as one JSON array expression (the access export reads it in its one statement). */
export function ledgerJson(subjectId: string) {
  return jsonArrayFrom(
    subquery
      .selectFrom("disclosure_subjects as s")
      .innerJoin("disclosures as d", "d.disclosure_id", "s.disclosure_id")
      .leftJoin("recipient_registry as r", "r.recipient_id", "d.recipient_id")
      .where("s.subject_id", "=", subjectId)
      .select([
        "d.disclosure_id",
        "d.recipient_id",
        "d.recipient_kind",
        "d.kind",
        "d.purpose",
        "d.ground",
        "d.fields",
        "d.categories",
        "d.policy_version",
        "d.at",
        "r.legal_name",
      ])
      .orderBy("d.at")
      .orderBy("d.disclosure_id"),
  );
}

export function ledgerEntries(
  rows: readonly LedgerJson[],
  names: (recipientId: string) => string,
): LedgerEntry[] {
  return rows.map((r) => ({
    disclosureId: r.disclosure_id,
    recipient: r.recipient_id,
    recipientName: r.legal_name ?? names(r.recipient_id),
    recipientKind: r.recipient_kind,
    kind: r.kind,
    purpose: r.purpose,
    ground: r.ground,
    fields: r.fields,
    categories: r.categories,
    policyVersion: r.policy_version,
    at: new Date(r.at).toISOString(),
  }));
}

export async function subjectExists(db: Kysely<Database>, subjectId: string): Promise<boolean> {
  const row = await db
    .selectFrom("subjects")
    .select("subject_id")
    .where("subject_id", "=", subjectId)
    .executeTakeFirst();
  return row !== undefined;
}

export interface ShineTheLight {
  readonly subjectId: string;
  readonly year: number;
  readonly from: string;
  readonly to: string;
  /** Categories of personal information disclosed to third parties for their direct marketing. */
  readonly categories: readonly string[];
  readonly recipients: readonly {
    readonly id: string;
    readonly name: string;
    readonly address: string | null;
    readonly categories: readonly string[];
    readonly disclosures: number;
  }[];
}

/**
 * The Shine the Light report (Z19-10): for one person and one calendar year (UTC), the categories
 * disclosed to third parties for their direct marketing, and the names and business addresses of
 * those third parties, from the ledger.
 */
export async function shineTheLight(
  db: Kysely<Database>,
  subjectId: string,
  year: number,
  names: (recipientId: string) => string,
): Promise<ShineTheLight> {
  const from = new Date(Date.UTC(year, 0, 1));
  const to = new Date(Date.UTC(year + 1, 0, 1));
  const rows = await db
    .selectFrom("disclosure_subjects as s")
    .innerJoin("disclosures as d", "d.disclosure_id", "s.disclosure_id")
    .leftJoin("recipient_registry as r", "r.recipient_id", "d.recipient_id")
    .where("s.subject_id", "=", subjectId)
    .where("d.recipient_kind", "in", THIRD_PARTY_MARKETING)
    .where("d.at", ">=", from)
    .where("d.at", "<", to)
    .select(["d.recipient_id", "d.categories", "r.legal_name", "r.address"])
    .orderBy("d.recipient_id")
    .execute();
  const byRecipient = new Map<
    string,
    { name: string; address: string | null; categories: Set<string>; n: number }
  >();
  const all = new Set<string>();
  for (const r of rows) {
    let entry = byRecipient.get(r.recipient_id);
    if (entry === undefined) {
      entry = {
        name: r.legal_name ?? names(r.recipient_id),
        address: r.address,
        categories: new Set(),
        n: 0,
      };
      byRecipient.set(r.recipient_id, entry);
    }
    entry.n++;
    for (const c of r.categories) {
      entry.categories.add(c);
      all.add(c);
    }
  }
  return {
    subjectId,
    year,
    from: from.toISOString(),
    to: to.toISOString(),
    categories: [...all].sort(),
    recipients: [...byRecipient].map(([id, e]) => ({
      id,
      name: e.name,
      address: e.address,
      categories: [...e.categories].sort(),
      disclosures: e.n,
    })),
  };
}

export interface ReportLine {
  readonly recipient: string;
  readonly recipientKind: string;
  readonly category: string;
  readonly disclosures: number;
  readonly people: number;
}

/** Company-wide: by recipient and category, how many disclosures and how many people, in [from, to). */
export async function disclosuresReport(db: Kysely<Database>, from: Date, to: Date): Promise<ReportLine[]> {
  const result = await sql<{
    recipient_id: string;
    recipient_kind: string;
    category: string;
    disclosures: string | number;
    people: string | number;
  }>`select d.recipient_id, d.recipient_kind, c.category,
        count(distinct d.disclosure_id) as disclosures, count(distinct s.subject_id) as people
      from disclosures d
      cross join lateral unnest(d.categories) as c(category)
      left join disclosure_subjects s on s.disclosure_id = d.disclosure_id
      where d.at >= ${from} and d.at < ${to}
      group by d.recipient_id, d.recipient_kind, c.category
      order by d.recipient_id, c.category`.execute(db);
  return result.rows.map((r) => ({
    recipient: r.recipient_id,
    recipientKind: r.recipient_kind,
    category: r.category,
    disclosures: Number(r.disclosures),
    people: Number(r.people),
  }));
}

export async function auditRead(
  db: Kysely<Database>,
  acting: Acting,
  subjectId: string | null,
  what: string,
  count: number,
  at: Date,
): Promise<void> {
  await db
    .transaction()
    .execute((trx) =>
      appendAudit(trx, [
        { type: "disclosure.read", at, actor: auditActor(acting.actor), subjectId, payload: { what, count } },
      ]),
    );
}
