/**
 * A small RFC 4180 reader: comma-separated, fields optionally in double quotes (a quote inside
 * is doubled), records end with LF or CRLF, quoted fields may span lines. Yields each record with
 * the line number it starts on, so a report can point at it without repeating its content.
 */
export interface CsvRecord {
  readonly line: number;
  readonly cells: readonly string[];
}

export class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = "CsvError";
  }
}

export function* readCsv(text: string): Generator<CsvRecord> {
  let i = 0;
  let line = 1;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark
  while (i < n) {
    const start = line;
    const cells: string[] = [];
    for (;;) {
      let cell = "";
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) throw new CsvError(start, "a quoted field is not closed");
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === "\n") line++;
          cell += c;
          i++;
        }
        if (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") {
          throw new CsvError(line, "text after a closing quote");
        }
      } else {
        while (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") cell += text[i++];
      }
      cells.push(cell);
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "\r") i++;
      if (text[i] === "\n") i++;
      line++;
      break;
    }
    if (!(cells.length === 1 && cells[0] === "")) yield { line: start, cells };
  }
}
