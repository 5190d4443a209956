import { findCardNumberInJson } from "../../crypto/cards.ts";
import type { SubjectStatus } from "../../gate/types.ts";
import { createSubject, type CreateSubjectInput } from "./create.ts";
import { readCsv, type CsvRecord } from "./csv.ts";
import type { SubjectsDeps } from "./subjects.service.ts";
import type { Acting } from "../../use/acting.ts";
import type { Refusal } from "../../use/refusal.ts";
import { ADDRESS_KINDS, PROFILE_FIELDS, type AddressKind } from "./subjects.ts";

/**
 * Imports customers from CSV, one subject per row, each in its own transaction through
 * createSubject: a row is either imported whole or rejected whole, never half-imported; the
 * rejection names the line and a code, never the row's content. Columns (header row, any order):
 * status, birth_date, jurisdiction, the profile fields (first_name, last_name, email, phone, zip,
 * interests, account_status), and for one address `address_kind`, `line1`, `line2`, `city`,
 * `region`, `postal_code`, `country`. Unknown columns refuse the whole file before any row.
 */
export interface ImportOptions {
  readonly purpose: string;
  readonly collectionPoint: string;
  readonly defaultStatus: SubjectStatus;
  /** Called after each row with the counts so far (for a progress bar). */
  readonly onProgress?: (done: number, total: number, imported: number, rejected: number) => void;
}

export interface RejectedRow {
  readonly line: number;
  readonly code: string;
  readonly reason: string;
}

export interface ImportReport {
  readonly rows: number;
  readonly imported: number;
  readonly rejected: readonly RejectedRow[];
}

const ADDRESS_COLUMNS = [
  "address_kind",
  "line1",
  "line2",
  "city",
  "region",
  "postal_code",
  "country",
] as const;
const KNOWN = new Set<string>([
  "status",
  "birth_date",
  "jurisdiction",
  ...PROFILE_FIELDS,
  ...ADDRESS_COLUMNS,
]);
const STATUSES = new Set(["customer", "prospect", "former"]);

export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImportFileError";
  }
}

export async function importCustomers(
  deps: SubjectsDeps,
  acting: Acting,
  csv: string,
  options: ImportOptions,
): Promise<ImportReport> {
  const records = [...readCsv(csv)];
  const header = records.shift();
  if (!header) throw new ImportFileError("the file is empty");
  const columns = header.cells.map((c) => c.trim().toLowerCase());
  const unknown = columns.filter((c) => !KNOWN.has(c));
  if (unknown.length) throw new ImportFileError(`line 1: unknown column(s) ${unknown.join(", ")}`);
  const rejected: RejectedRow[] = [];
  let imported = 0;
  for (const [index, record] of records.entries()) {
    const outcome = await importRow(deps, acting, columns, record, options);
    if (outcome === null) imported++;
    else rejected.push({ line: record.line, ...outcome });
    options.onProgress?.(index + 1, records.length, imported, rejected.length);
  }
  return { rows: records.length, imported, rejected };
}

async function importRow(
  deps: SubjectsDeps,
  acting: Acting,
  columns: readonly string[],
  record: CsvRecord,
  options: ImportOptions,
): Promise<{ code: string; reason: string } | null> {
  if (record.cells.length !== columns.length) {
    return {
      code: "PLEDGE_IMPORT_ROW_SHAPE",
      reason: `${record.cells.length} cells for ${columns.length} columns`,
    };
  }
  const row = new Map(columns.map((c, i) => [c, record.cells[i]!.trim()]));
  const card = findCardNumberInJson(Object.fromEntries(row));
  if (card !== null) {
    const where = card.kind === "value" ? `column ${card.path.slice(1)}` : "a column name";
    return { code: "PLEDGE_CARD_NUMBER_REFUSED", reason: `a card number in ${where}` };
  }
  const input = toInput(row, options);
  if (typeof input === "string") return { code: "PLEDGE_VALIDATION_FAILED", reason: input };
  const result = await createSubject(deps, acting, input);
  return result.ok ? null : refusalOf(result);
}

function toInput(row: ReadonlyMap<string, string>, options: ImportOptions): CreateSubjectInput | string {
  const status = row.get("status") || options.defaultStatus;
  if (!STATUSES.has(status)) return `status must be customer, prospect or former`;
  const fields: Partial<Record<(typeof PROFILE_FIELDS)[number], string>> = {};
  for (const f of PROFILE_FIELDS) {
    const v = row.get(f);
    if (v) fields[f] = v;
  }
  const kind = row.get("address_kind");
  let addresses: CreateSubjectInput["addresses"];
  if (kind) {
    if (!(ADDRESS_KINDS as readonly string[]).includes(kind))
      return "address_kind must be billing, shipping or postal";
    const line2 = row.get("line2");
    const region = row.get("region");
    addresses = [
      {
        kind: kind as AddressKind,
        line1: row.get("line1") ?? "",
        ...(line2 ? { line2 } : {}),
        city: row.get("city") ?? "",
        ...(region ? { region } : {}),
        postalCode: row.get("postal_code") ?? "",
        country: row.get("country") || "US",
      },
    ];
  }
  const birth = row.get("birth_date");
  if (birth && !/^\d{4}-\d{2}-\d{2}$/.test(birth)) return "birth_date must be YYYY-MM-DD";
  return {
    status: status as SubjectStatus,
    purpose: options.purpose,
    collectionPoint: options.collectionPoint,
    birthDate: birth || null,
    jurisdiction: row.get("jurisdiction") || null,
    fields,
    ...(addresses ? { addresses } : {}),
  };
}

function refusalOf(r: Refusal): { code: string; reason: string } {
  switch (r.kind) {
    case "refused":
      return {
        code: "PLEDGE_USE_REFUSED",
        reason: r.decision.reasons.map((x) => `${x.clause ?? "-"} ${x.code}`).join("; "),
      };
    case "under_age":
      return { code: "PLEDGE_UNDER_MINIMUM_AGE", reason: "under the policy's minimum age; nothing kept" };
    case "duplicate":
      return { code: "PLEDGE_DUPLICATE_IDENTITY", reason: `another subject already has this ${r.identity}` };
    case "invalid":
      return {
        code: r.errors[0]?.code ?? "PLEDGE_VALIDATION_FAILED",
        reason: r.errors.map((e) => e.path).join(", "),
      };
    case "error":
      return { code: r.error.code, reason: r.error.detail };
    case "not_found":
    case "stale":
      return { code: "PLEDGE_INTERNAL", reason: r.kind };
    default: {
      const never: never = r;
      throw new Error(`unknown refusal ${JSON.stringify(never)}`);
    }
  }
}
