import { Readable } from "node:stream";
import { sql, type Kysely } from "kysely";
import type { SubjectCipher } from "../../crypto/vault.types.ts";
import { PledgeError } from "../../errors.ts";
import type { Decision } from "../../gate/types.ts";
import type { Database } from "../../store/database.ts";
import type { Acting } from "../../use/acting.ts";
import { use } from "../../use/kernel.ts";
import { clausesOf, failWith, ok, type Result } from "../../use/refusal.ts";
import type { FieldView } from "../../use/view.ts";
import { askedFields, type DisclosureDeps } from "../disclosures/context.ts";
import "../disclosures/disclosures.events.ts";
import { ledgerWrite } from "../disclosures/disclosures.service.ts";
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
 * A list for a recipient (partner, processor): an `export` use about everyone the policy lets it
 * reach. In ONE transaction the kernel reads the recipient's contract, decides rules 0–16 and
 * compiles rules 17–24 into the audience predicate, and the ledger row with its people is written
 * from that predicate and committed with the audit events, before a byte leaves; the body then
 * streams the records of exactly the people the ledger names, each opened through the decision's
 * view. A field the recipient may not receive refuses the whole export, unless the caller asked
 * for a projection (then it is removed and the result says so).
 */
export async function exportList(
  deps: DisclosureDeps,
  acting: Acting,
  input: ExportInput,
): Promise<Result<ExportResult>> {
  const { pack, policy } = deps.policies.at(deps.clock().toISOString());
  const fields = askedFields(pack, policy.fieldCategory, input.recipient, input.fields);
  const ask = {
    action: "export",
    purpose: input.purpose,
    recipient: input.recipient,
    fields,
    ...(input.projection === true ? { projection: true } : {}),
  } as const;
  const written = await use<Written>(deps, acting, { audience: true }, ask, async (scope) => {
    const outside = scope.decision.fields.find((f) => !isRecordField(f));
    if (outside !== undefined)
      return failWith(
        new PledgeError(
          "PLEDGE_UNKNOWN_FIELD",
          `field ${outside} is not kept in the customer record, so it cannot be exported`,
        ),
      );
    const disclosureId = await ledgerWrite(scope, "export", scope.audience!);
    const count = await ledgerCount(scope.trx, disclosureId);
    return ok({ disclosureId, count, decision: scope.decision, narrow: scope.narrow });
  });
  if (!written.ok) return written;
  const { disclosureId, count, decision, narrow } = written.value;
  if (count >= FRESH_STATISTICS) await refreshLedgerStatistics(deps);
  return ok({
    disclosureId,
    count,
    fields: decision.fields,
    removed: decision.removed,
    clauses: clausesOf(decision),
    body: Readable.from(serialise(deps, narrow, disclosureId, decision.fields, input.format)),
  });
}

/** What the transaction of an export leaves for the body that streams after it. */
interface Written {
  readonly disclosureId: string;
  readonly count: number;
  readonly decision: Decision;
  readonly narrow: (cipher: SubjectCipher) => FieldView;
}

async function ledgerCount(trx: Kysely<Database>, disclosureId: string): Promise<number> {
  const row = await trx
    .selectFrom("disclosures")
    .select("subject_count")
    .where("disclosure_id", "=", disclosureId)
    .executeTakeFirstOrThrow();
  return Number(row.subject_count);
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
  narrow: (cipher: SubjectCipher) => FieldView,
  disclosureId: string,
  fields: readonly string[],
  format: ExportFormat,
): AsyncGenerator<string> {
  if (format === "csv") yield csvLine(fields);
  for await (const page of disclosedRecords(deps.db, deps.vault, narrow, disclosureId, fields)) {
    let chunk = "";
    for (const row of page.rows) chunk += format === "csv" ? csvLine(row) : ndjsonLine(fields, row);
    if (chunk !== "") yield chunk;
  }
}
