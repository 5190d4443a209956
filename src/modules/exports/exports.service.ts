import { Readable } from "node:stream";
import { sql } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import { compileAudience, type Use } from "../../gate/index.ts";
import { PledgeError } from "../../http/errors.ts";
import {
  categoriesOf,
  askedFields,
  refusedError,
  useFactsFor,
  type DisclosureDeps,
} from "../disclosures/context.ts";
import "../disclosures/disclosures.events.ts";
import { recordDisclosure } from "../disclosures/ledger.ts";
import { decisionEvent } from "../subjects/subjects.gate.ts";
import { auditActor, type Acting } from "../subjects/subjects.ts";
import { csvLine, ndjsonLine, type ExportFormat } from "./format.ts";
import { disclosedRecords, isRecordField } from "./records.ts";

export interface ExportInput {
  readonly recipient: string;
  readonly purpose: string;
  readonly fields: readonly string[];
  readonly format: ExportFormat;
  readonly projection?: boolean;
}

export interface ExportResult {
  readonly disclosureId: string;
  readonly count: number;
  readonly fields: readonly string[];
  readonly removed: readonly string[];
  readonly clauses: readonly string[];
  /** The body: the list, read from the ledger's rows after the ledger was committed. */
  readonly body: Readable;
}

/**
 * A list for a recipient (partner, processor): the gate decides the use once (rules 0–16) and
 * selects the audience in SQL (rules 18–24); the ledger row and its people are written and
 * committed, with the audit events, before a byte leaves; the body then streams the records of
 * exactly the people the ledger names. A field the recipient may not receive refuses the whole
 * export, unless the caller asked for a projection (then it is removed and the result says so).
 */
export async function exportList(
  deps: DisclosureDeps,
  acting: Acting,
  input: ExportInput,
): Promise<ExportResult> {
  const now = deps.clock();
  const at = now.toISOString();
  const { pack, policy } = deps.policies.at(at);
  const fields = askedFields(pack, policy.fieldCategory, input.recipient, input.fields);
  const use: Use = {
    action: "export",
    purpose: input.purpose,
    actor: acting.actor,
    recipient: input.recipient,
    fields,
    ...(input.projection === true ? { projection: true } : {}),
    at,
  };
  const facts = await useFactsFor(deps, acting, input.recipient, now);
  const audience = compileAudience(policy, facts, use);
  const decision = audience.decision;
  if (decision.outcome === "deny") {
    await deps.db
      .transaction()
      .execute((trx) => appendAudit(trx, [decisionEvent(acting, null, use, decision)]));
    throw refusedError(decision);
  }
  const kept = decision.fields;
  for (const f of kept) {
    if (!isRecordField(f))
      throw new PledgeError(
        "PLEDGE_UNKNOWN_FIELD",
        `field ${f} is not kept in the customer record, so it cannot be exported`,
      );
  }
  const recipient = policy.recipients.get(input.recipient);
  const { disclosureId, subjectCount } = await deps.db.transaction().execute(async (trx) => {
    const written = await recordDisclosure(
      trx,
      {
        recipientId: input.recipient,
        recipientKind: recipient?.kind ?? "processor",
        kind: "export",
        purpose: input.purpose,
        ground: policy.purposes.get(input.purpose)?.basis ?? "",
        fields: kept,
        categories: categoriesOf(policy.fieldCategory, kept),
        policyVersion: policy.version,
        actor: auditActor(acting.actor),
        at: now,
      },
      audience.where,
    );
    await appendAudit(trx, [
      decisionEvent(acting, null, use, decision),
      {
        type: "disclosure.recorded",
        at: now,
        actor: auditActor(acting.actor),
        subjectId: null,
        payload: {
          disclosureId: written.disclosureId,
          recipient: input.recipient,
          kind: "export",
          purpose: input.purpose,
          fields: [...kept],
          removed: [...decision.removed],
          count: written.subjectCount,
        },
      },
    ]);
    return written;
  });
  if (subjectCount >= FRESH_STATISTICS) await refreshLedgerStatistics(deps);
  return {
    disclosureId,
    count: subjectCount,
    fields: kept,
    removed: decision.removed,
    clauses: [...new Set(decision.reasons.flatMap((r) => (r.clause === null ? [] : [r.clause])))],
    body: Readable.from(serialise(deps, disclosureId, kept, input.format)),
  };
}

/**
 * A list this long changes `disclosure_subjects` enough that the planner's statistics, which do
 * not know the new rows yet, would have it read the whole disclosure for every page (a sort
 * instead of a range of the primary key). The table is analysed first (a sample, well under a
 * second); a store that refuses (a role without the right) still sends the list, just slower.
 */
const FRESH_STATISTICS = 20_000;

async function refreshLedgerStatistics(deps: DisclosureDeps): Promise<void> {
  await sql`analyze disclosure_subjects`.execute(deps.db).catch(() => undefined);
}

async function* serialise(
  deps: DisclosureDeps,
  disclosureId: string,
  fields: readonly string[],
  format: ExportFormat,
): AsyncGenerator<string> {
  if (format === "csv") yield csvLine(fields);
  for await (const page of disclosedRecords(deps.db, deps.vault, disclosureId, fields)) {
    let chunk = "";
    for (const row of page.rows) chunk += format === "csv" ? csvLine(row) : ndjsonLine(fields, row);
    if (chunk !== "") yield chunk;
  }
}
