import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The import graph of `src/`, read from the source text: every `import … from`, `export … from`
 * and `import("…")` with a literal specifier. Relative specifiers are resolved to files under
 * `src/` (paths like `src/gate/decide.ts`); package imports are kept by package name
 * (`kysely`, `node:fs`). `typeOnly` is true when every import of that target is `import type`.
 */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly typeOnly: boolean;
}

export function sourceFiles(dir = "src"): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(ROOT, dir))) {
    const rel = `${dir}/${name}`;
    if (statSync(path.join(ROOT, rel)).isDirectory()) out.push(...sourceFiles(rel));
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(rel);
  }
  return out.sort();
}

const STATIC = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?["']([^"']+)["']/gm;
const DYNAMIC = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** The edges going out of one file, one per target (type-only when every import of it is). */
export function importsOf(file: string, text = readFileSync(path.join(ROOT, file), "utf8")): Edge[] {
  const code = stripComments(text);
  const found = new Map<string, boolean>();
  const add = (spec: string, typeOnly: boolean) => {
    const to = resolve(file, spec);
    found.set(to, (found.get(to) ?? true) && typeOnly);
  };
  for (const m of code.matchAll(STATIC)) add(m[3]!, m[2] !== undefined);
  for (const m of code.matchAll(DYNAMIC)) add(m[1]!, false);
  return [...found].map(([to, typeOnly]) => ({ from: file, to, typeOnly }));
}

export function importGraph(files = sourceFiles()): Edge[] {
  return files.flatMap((f) => importsOf(f));
}

function resolve(from: string, spec: string): string {
  if (!spec.startsWith(".")) {
    // A package: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`; `node:x` as it is.
    const parts = spec.split("/");
    return spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
  }
  return path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
}

/** Comments out, strings kept: an import named in a comment is not an import. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

/** Every cycle's files, as strongly connected components of more than one file (Tarjan). */
export function cycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    if (!e.to.startsWith("src/")) continue;
    next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return out;
}
