import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";

/**
 * Which test files reach the store under test. The PostgreSQL and Citus passes run only these: a
 * file that never imports test/harness/store.ts, directly or through another test module, gives
 * the same answer on every store, so it runs once, on the embedded pass.
 *
 * Imports are read from the source text: static imports and re-exports, side-effect imports, and
 * dynamic imports of a literal path. Only relative imports are followed (the harness is reached
 * only through them), and only within test/ (src/ never imports the test harness).
 */

export const STORE_HARNESS = "test/harness/store.ts";

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|(?:^|[\s;])import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** The relative specifiers a module's source imports. */
export function relativeImportsOf(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2] ?? match[3];
    if (spec?.startsWith(".")) found.push(spec);
  }
  return found;
}

/** Every `*.test.ts` under `dir` (relative to `root`, with forward slashes), sorted. */
export function testFiles(root: string, dir = "test"): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => path.posix.join(dir, f.split(path.sep).join("/")))
    .sort();
}

/** The test files (relative to `root`) whose import closure includes the store harness. */
export function testFilesUsingTheStore(root: string): string[] {
  const imports = new Map<string, string[]>();
  const importsOf = (file: string): string[] => {
    let found = imports.get(file);
    if (found === undefined) {
      let source = "";
      try {
        source = readFileSync(path.join(root, file), "utf8");
      } catch {
        // an import of a file that is not there fails the test file itself, on either pass
      }
      found = relativeImportsOf(source).map((spec) =>
        path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)),
      );
      imports.set(file, found);
    }
    return found;
  };
  const reachesTheStore = (start: string): boolean => {
    const seen = new Set([start]);
    const queue = [start];
    for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
      if (file === STORE_HARNESS) return true;
      for (const next of importsOf(file)) {
        if (!next.startsWith("test/") || seen.has(next)) continue;
        seen.add(next);
        queue.push(next);
      }
    }
    return false;
  };
  return testFiles(root).filter(reachesTheStore);
}
