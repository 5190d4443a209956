import type { PostalAddressInput } from "../../crypto/normalise.ts";
import type { SuppressionAddress } from "./address.ts";

/**
 * Parsing of a Do Not Send import file into rows, before any row is checked. Two formats:
 *
 * - CSV (RFC 4180: commas, double-quoted fields with "" inside, CRLF or LF), a header line first.
 *   Columns: `address` for email, phone and sms; `line1`, `line2`, `city`, `region`,
 *   `postal_code`, `country` for postal and catalogue; optional `channel` (else the file's
 *   channel) and `reason`.
 * - NDJSON: one JSON object per line, `{ "address": "…" | { line1, city, postalCode, country, … },
 *   "channel"?, "reason"? }`; blank lines are skipped.
 *
 * A row keeps its line number (the line it starts on) for the report. Messages name columns and
 * line numbers, never a value.
 */
export type ImportFormat = "csv" | "ndjson";

export interface RawRow {
  readonly line: number;
  readonly channel: string | undefined;
  readonly reason: string | undefined;
  readonly address: SuppressionAddress | undefined;
}

export interface RowError {
  readonly line: number;
  readonly message: string;
}

export function parseImport(text: string, format: ImportFormat): { rows: RawRow[]; errors: RowError[] } {
  switch (format) {
    case "csv":
      return parseCsvRows(text);
    case "ndjson":
      return parseNdjson(text);
    default: {
      const never: never = format;
      throw new Error(`unknown format ${String(never)}`);
    }
  }
}

const POSTAL_COLUMNS = ["line1", "line2", "city", "region", "postal_code", "country"] as const;
const KNOWN_COLUMNS = new Set<string>(["channel", "reason", "address", ...POSTAL_COLUMNS]);

function parseCsvRows(text: string): { rows: RawRow[]; errors: RowError[] } {
  const records = parseCsv(text);
  const header = records.shift();
  if (header === undefined)
    return { rows: [], errors: [{ line: 1, message: "the file is empty: a header line is needed" }] };
  const columns = header.fields.map((c) => c.trim().toLowerCase());
  const unknown = columns.filter((c) => !KNOWN_COLUMNS.has(c));
  if (unknown.length > 0) {
    return { rows: [], errors: [{ line: header.line, message: `unknown columns: ${unknown.join(", ")}` }] };
  }
  const rows: RawRow[] = [];
  const errors: RowError[] = [];
  for (const record of records) {
    if (record.fields.length === 1 && record.fields[0] === "") continue;
    if (record.fields.length !== columns.length) {
      errors.push({
        line: record.line,
        message: `${record.fields.length} fields where the header has ${columns.length}`,
      });
      continue;
    }
    const get = (name: string): string | undefined => {
      const i = columns.indexOf(name);
      const value = i < 0 ? undefined : record.fields[i];
      return value === "" ? undefined : value;
    };
    const postal = POSTAL_COLUMNS.some((c) => get(c) !== undefined);
    const address: SuppressionAddress | undefined = postal
      ? ({
          line1: get("line1") ?? "",
          line2: get("line2") ?? null,
          city: get("city") ?? "",
          region: get("region") ?? null,
          postalCode: get("postal_code") ?? "",
          country: get("country") ?? "",
        } satisfies PostalAddressInput)
      : get("address");
    rows.push({ line: record.line, channel: get("channel"), reason: get("reason"), address });
  }
  return { rows, errors };
}

function parseNdjson(text: string): { rows: RawRow[]; errors: RowError[] } {
  const rows: RawRow[] = [];
  const errors: RowError[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      errors.push({ line, message: "not a JSON object" });
      return;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      errors.push({ line, message: "not a JSON object" });
      return;
    }
    const o = value as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => !["channel", "reason", "address"].includes(k));
    if (extra.length > 0) {
      errors.push({ line, message: `unknown properties: ${extra.join(", ")}` });
      return;
    }
    const text = (k: string): string | undefined => (typeof o[k] === "string" ? (o[k] as string) : undefined);
    const address = o.address;
    const postal = typeof address === "object" && address !== null && !Array.isArray(address);
    if (!postal && typeof address !== "string") {
      errors.push({ line, message: "address is missing: a string, or an object of postal address parts" });
      return;
    }
    rows.push({ line, channel: text("channel"), reason: text("reason"), address: postalInput(address) });
  });
  return { rows, errors };
}

function postalInput(address: unknown): SuppressionAddress {
  if (typeof address === "string") return address;
  const o = address as Record<string, unknown>;
  const s = (k: string): string => (typeof o[k] === "string" ? (o[k] as string) : "");
  const n = (k: string): string | null => (typeof o[k] === "string" ? (o[k] as string) : null);
  return {
    line1: s("line1"),
    line2: n("line2"),
    city: s("city"),
    region: n("region"),
    postalCode: s("postalCode"),
    country: s("country"),
  };
}

/** RFC 4180 records with the line each starts on. A quote left open runs to the end of the text. */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let start = 1;
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === "\n") line++;
        field += ch;
      }
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === ",") {
      fields.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && body[i + 1] === "\n") i++;
      fields.push(field);
      records.push({ line: start, fields });
      fields = [];
      field = "";
      line++;
      start = line;
    } else field += ch;
  }
  if (field !== "" || fields.length > 0) {
    fields.push(field);
    records.push({ line: start, fields });
  }
  return records;
}
