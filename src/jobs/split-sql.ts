/**
 * Splits a script of SQL statements on the semicolons that end them: those outside string
 * literals, quoted identifiers, dollar-quoted bodies and comments. PGlite's `query` (and any
 * parameterised query) takes one statement at a time; pg-boss hands over whole scripts
 * (schema creation, maintenance wrapped in BEGIN … COMMIT). Empty statements are dropped.
 */
export function splitSql(script: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  const n = script.length;
  const push = (end: number): void => {
    const text = script.slice(start, end).trim();
    if (text !== "") statements.push(text);
  };
  while (i < n) {
    const c = script[i];
    const next = script[i + 1];
    if (c === "'" || c === '"') {
      const close = script.indexOf(c, i + 1);
      i = close === -1 ? n : close + 1;
      // A doubled quote ('') is an escaped quote: scanning on from after it is equivalent.
    } else if (c === "-" && next === "-") {
      const eol = script.indexOf("\n", i);
      i = eol === -1 ? n : eol + 1;
    } else if (c === "/" && next === "*") {
      const close = script.indexOf("*/", i + 2);
      i = close === -1 ? n : close + 2;
    } else if (c === "$") {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(script.slice(i, i + 64))?.[0];
      if (tag === undefined) {
        i++;
      } else {
        const close = script.indexOf(tag, i + tag.length);
        i = close === -1 ? n : close + tag.length;
      }
    } else if (c === ";") {
      push(i);
      start = i + 1;
      i++;
    } else {
      i++;
    }
  }
  push(n);
  return statements;
}
