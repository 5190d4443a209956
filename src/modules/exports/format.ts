/**
 * The two formats a list leaves in. CSV per RFC 4180: CRLF line ends, a header row, a cell quoted
 * when it holds a comma, a quote, CR or LF, quotes doubled. A cell that a spreadsheet would read as
 * a formula (starting with = + - @, or a tab or CR) is prefixed with ' (CSV injection, OWASP).
 * NDJSON: one JSON object per line, keys the field names.
 */
export type ExportFormat = "csv" | "ndjson";

export const CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  csv: "text/csv; charset=utf-8",
  ndjson: "application/x-ndjson",
};

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA = /^[=+\-@\t\r]/;

export function csvCell(value: string): string {
  const safe = FORMULA.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvLine(values: readonly string[]): string {
  let out = "";
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ",";
    out += csvCell(values[i] as string);
  }
  return `${out}\r\n`;
}

export function ndjsonLine(fields: readonly string[], values: readonly string[]): string {
  const o: Record<string, string> = {};
  for (let i = 0; i < fields.length; i++) o[fields[i] as string] = values[i] as string;
  return `${JSON.stringify(o)}\n`;
}
