import { jsonArrayFrom } from "kysely/helpers/postgres";
import { sql, type Expression, type Kysely, type SqlBool } from "kysely";
import type { AuditEvent } from "../../audit/audit.events.ts";
import { PledgeError } from "../../errors.ts";
import { calendarYear } from "../../policy/calendar.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { auditActor, type Acting } from "../../use/acting.ts";
import { use, type UseScope } from "../../use/kernel.ts";
import { clausesOf, failWith, ok, type Result } from "../../use/refusal.ts";
import { subquery } from "../subjects/sections.ts";
import { disclosedRecords, isRecordField } from "../exports/records.ts";
import { askedFields, categoriesOf, type DisclosureDeps } from "./context.ts";
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
 * Z16-10, Z19-04; the customer's own organisation, ZM-15): a `disclose` use, decided with the
 * person's facts and the recipient's contract in the transaction that writes the ledger row and
 * reads the values back through it, so a consent withdrawn before the decision is always seen.
 */
export async function shareSubject(
  deps: DisclosureDeps,
  acting: Acting,
  input: ShareInput,
): Promise<Result<Share>> {
  const { pack, policy } = deps.policies.at(deps.clock().toISOString());
  const fields = askedFields(pack, policy.fieldCategory, input.recipient, input.fields);
  const ask = { action: "disclose", purpose: input.purpose, recipient: input.recipient, fields } as const;
  return use(deps, acting, { subject: input.subjectId }, ask, async (scope) => {
    const { decision } = scope;
    const outside = decision.fields.find((f) => !isRecordField(f));
    if (outside !== undefined)
      return failWith(
        new PledgeError(
          "PLEDGE_UNKNOWN_FIELD",
          `field ${outside} is not kept in the customer record, so it cannot be shared`,
        ),
      );
    const disclosureId = await ledgerWrite(scope, "share", [input.subjectId]);
    const values: Record<string, string> = {};
    for await (const page of disclosedRecords(
      scope.trx,
      deps.vault,
      scope.narrow,
      disclosureId,
      decision.fields,
    )) {
      const row = page.rows[0];
      if (row !== undefined) decision.fields.forEach((f, i) => (values[f] = row[i] as string));
    }
    return ok({
      disclosureId,
      subjectId: input.subjectId,
      recipient: input.recipient,
      purpose: input.purpose,
      fields: decision.fields,
      removed: decision.removed,
      clauses: clausesOf(decision),
      values,
    });
  });
}

/**
 * Writes a ledger row for the allowed use of `scope` (its recipient, purpose, ground and the
 * decision's fields) naming `subjects` (ids, or the audience's predicate), and its
 * `disclosure.recorded` audit event, in the use's transaction. Returns the disclosure id.
 */
export async function ledgerWrite(
  scope: UseScope,
  kind: "share" | "conversion" | "export" | "list" | "legal" | "aggregate",
  subjects: readonly string[] | Expression<SqlBool>,
): Promise<string> {
  const { use, decision, policy, now } = scope;
  const recipient = policy.recipients.get(use.recipient ?? "");
  const actor = auditActor(use.actor);
  const { disclosureId, subjectCount } = await recordDisclosure(
    scope.trx,
    {
      recipientId: use.recipient ?? "",
      recipientKind: recipient?.kind ?? "processor",
      kind,
      purpose: use.purpose,
      ground: use.ground ?? policy.purposes.get(use.purpose)?.basis ?? "",
      fields: decision.fields,
      categories: categoriesOf(policy.fieldCategory, decision.fields),
      policyVersion: policy.version,
      actor,
      at: now,
    },
    subjects,
  );
  scope.record({
    type: "disclosure.recorded",
    at: now,
    actor,
    subjectId: Array.isArray(subjects) && subjects.length === 1 ? (subjects[0] as string) : null,
    payload: {
      disclosureId,
      recipient: use.recipient ?? "",
      kind,
      purpose: use.purpose,
      fields: [...decision.fields],
      removed: [...decision.removed],
      count: subjectCount,
    },
  });
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

/**
 * Every disclosure that concerned the person, oldest first (ALL-04: who it was given to), read
 * by staff for a stated purpose: a `read` use of the person's record (no field of it leaves, but
 * the use still needs a purpose the role holds, an attestation, and the person's reach), audited
 * as `disclosure.read` with the count.
 */
export async function personLedger(
  deps: DisclosureDeps,
  acting: Acting,
  input: { readonly subjectId: string; readonly purpose: string },
  names: (recipientId: string) => string,
): Promise<Result<LedgerEntry[]>> {
  const ask = { action: "read", purpose: input.purpose, fields: [] } as const;
  return use(deps, acting, { subject: input.subjectId }, ask, async (scope) => {
    const items = await subjectLedger(scope.trx, input.subjectId, names);
    scope.record(readEvent(scope, input.subjectId, "ledger", items.length));
    return ok(items);
  });
}

export async function subjectLedger(
  db: Kysely<Database>,
  subjectId: string,
  names: (recipientId: string) => string,
): Promise<LedgerEntry[]> {
  const row = await db.selectNoFrom(ledgerJson(subjectId).as("ledger")).executeTakeFirstOrThrow();
  return ledgerEntries(row.ledger as LedgerJson[], names);
}

/** A recipient's public name under the pack, for the ledger and the reports; its id when the pack names none. */
export function recipientNames(pack: Pick<PolicyPack, "recipients">): (recipientId: string) => string {
  return (id) => pack.recipients.find((r) => r.id === id)?.name ?? id;
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
 * The Shine the Light report (Z19-10), read by staff for a stated purpose: a `read` use of the
 * person's record, audited as `disclosure.read`. See `shineTheLight`.
 */
export async function shineTheLightFor(
  deps: DisclosureDeps,
  acting: Acting,
  input: { readonly subjectId: string; readonly year: number; readonly purpose: string },
  names: (recipientId: string) => string,
): Promise<Result<ShineTheLight>> {
  const ask = { action: "read", purpose: input.purpose, fields: [] } as const;
  return use(deps, acting, { subject: input.subjectId }, ask, async (scope) => {
    const report = await shineTheLight(scope.trx, input.subjectId, input.year, scope.pack.time_zone, names);
    scope.record(readEvent(scope, input.subjectId, "shine-the-light", report.recipients.length));
    return ok(report);
  });
}

/**
 * The Shine the Light report (Z19-10): for one person and one calendar year, counted in the
 * pack's time zone, the categories disclosed to third parties for their direct marketing, and
 * the names and business addresses of those third parties, from the ledger.
 */
export async function shineTheLight(
  db: Kysely<Database>,
  subjectId: string,
  year: number,
  zone: string,
  names: (recipientId: string) => string,
): Promise<ShineTheLight> {
  const { from, to } = calendarYear(year, zone);
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

/** The `disclosure.read` event of a read of the ledger or a report drawn from it. */
function readEvent(scope: UseScope, subjectId: string | null, what: string, count: number): AuditEvent {
  return {
    type: "disclosure.read",
    at: scope.now,
    actor: auditActor(scope.acting.actor),
    subjectId,
    payload: { what, count },
  };
}

/**
 * The company-wide report by recipient and category: counts only, an aggregate `analyse` use of
 * the ledger for a stated purpose (no person in it), audited as `disclosure.read`.
 */
export async function disclosuresReportFor(
  deps: DisclosureDeps,
  acting: Acting,
  input: { readonly from: Date; readonly to: Date; readonly purpose: string },
): Promise<Result<ReportLine[]>> {
  const ask = { action: "analyse", purpose: input.purpose, fields: [], aggregate: true } as const;
  return use(deps, acting, { nobody: true }, ask, async (scope) => {
    const items = await disclosuresReport(scope.trx, input.from, input.to);
    scope.record(readEvent(scope, null, "report", items.length));
    return ok(items);
  });
}
