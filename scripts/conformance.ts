/**
 * The conformance report: runs the conformance suite (test/conformance/<pack>/) and prints, for
 * every clause of every pack, `proven` or `not yet` with the tests behind it. A clause is proven
 * only when at least one test named after it ran in this run and every such test passed.
 *
 *   npm run conformance                        a readable report
 *   npm run conformance -- --json              {"packs": {"<pack>": {"<clause>": {"status", "tests"}}}}
 *   npm run conformance -- --from <file.json>  the report of a vitest JSON report already written
 *                                              (CI reads its embedded pass instead of running again)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadPackFile } from "../src/policy/load.ts";

type Status = "proven" | "not yet";
interface ClauseResult {
  status: Status;
  tests: string[];
}
type Report = { packs: Record<string, Record<string, ClauseResult>> };

interface VitestAssertion {
  title: string;
  ancestorTitles: string[];
  status: string;
}
interface VitestReport {
  testResults: { name: string; assertionResults: VitestAssertion[] }[];
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLAUSE_LIST = /^((?:[A-Z][A-Z0-9]*-\d{2})(?:\s*[,/&]\s*[A-Z][A-Z0-9]*-\d{2})*)\b/;

/** Clause ids a test title starts with: "PS-05: ..." or "Z16-03, Z19-03: ...". */
export function clauseIdsOf(title: string): string[] {
  const match = CLAUSE_LIST.exec(title);
  return match?.[1] ? match[1].split(/\s*[,/&]\s*/) : [];
}

/** Pack keys: the company id, or company-YYYY when a company has several versions. */
async function loadPackClauses(): Promise<Map<string, string[]>> {
  const packs = new Map<string, string[]>();
  const policiesDir = path.join(root, "policies");
  for (const company of readdirSync(policiesDir).sort()) {
    const files = readdirSync(path.join(policiesDir, company))
      .filter((f) => f.endsWith(".yaml"))
      .sort();
    for (const file of files) {
      const pack = await loadPackFile(path.join(policiesDir, company, file));
      const key = files.length > 1 ? `${pack.company}-${pack.effective_from.slice(0, 4)}` : pack.company;
      packs.set(
        key,
        pack.clauses.map((c) => c.id),
      );
    }
  }
  return packs;
}

function runSuite(): VitestReport {
  const dir = mkdtempSync(path.join(tmpdir(), "pledge-conformance-"));
  const outputFile = path.join(dir, "report.json");
  try {
    const run = spawnSync(
      process.execPath,
      [
        path.join(root, "node_modules/vitest/vitest.mjs"),
        "run",
        "test/conformance",
        "--reporter=json",
        `--outputFile.json=${outputFile}`,
      ],
      { cwd: root, stdio: ["ignore", "ignore", "inherit"], env: process.env },
    );
    if (run.error) throw run.error;
    return JSON.parse(readFileSync(outputFile, "utf8")) as VitestReport;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function buildReport(packs: Map<string, string[]>, suite: VitestReport): Report {
  const report: Report = { packs: {} };
  for (const [pack, clauses] of packs) {
    const byClause: Record<string, { tests: string[]; allPassed: boolean }> = {};
    for (const id of clauses) byClause[id] = { tests: [], allPassed: true };
    const prefix = path.join(root, "test/conformance", pack) + path.sep;
    for (const file of suite.testResults.filter((f) => f.name.startsWith(prefix))) {
      for (const test of file.assertionResults) {
        for (const id of clauseIdsOf(test.title)) {
          const entry = byClause[id];
          if (!entry) continue;
          entry.tests.push(test.title);
          if (test.status !== "passed") entry.allPassed = false;
        }
      }
    }
    report.packs[pack] = Object.fromEntries(
      Object.entries(byClause).map(([id, e]) => [
        id,
        { status: e.tests.length > 0 && e.allPassed ? "proven" : "not yet", tests: e.tests },
      ]),
    );
  }
  return report;
}

function printText(report: Report): void {
  for (const [pack, clauses] of Object.entries(report.packs)) {
    const entries = Object.entries(clauses);
    const proven = entries.filter(([, c]) => c.status === "proven").length;
    console.log(`\n${pack}: ${proven} of ${entries.length} clauses proven`);
    for (const [id, c] of entries) {
      console.log(`  ${id.padEnd(7)} ${c.status.padEnd(8)} ${c.tests.length ? "" : "(no test yet)"}`);
      for (const t of c.tests) console.log(`            - ${t}`);
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const packs = await loadPackClauses();
  const from = process.argv.indexOf("--from");
  const file = from === -1 ? undefined : process.argv[from + 1];
  if (from !== -1 && file === undefined) {
    console.error("--from needs the path of a vitest JSON report");
    process.exit(2);
  }
  const suite = file === undefined ? runSuite() : (JSON.parse(readFileSync(file, "utf8")) as VitestReport);
  const report = buildReport(packs, suite);
  if (process.argv.includes("--json")) console.log(JSON.stringify(report, null, 2));
  else printText(report);
}
