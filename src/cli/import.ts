import { readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { loadConfiguredPolicies, openConfiguredStore, prepareSchema, StartError } from "../app.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { openConfiguredVault } from "../crypto/configured.ts";
import { VaultError } from "../crypto/errors.ts";
import { PolicyError } from "../policy/errors.ts";
import type { SubjectStatus } from "../gate/types.ts";
import { PolicyBook } from "../policy/book.ts";
import { importCustomers, ImportFileError, type ImportReport } from "../modules/subjects/import.ts";
import { createSubjectRegistry } from "../modules/subjects/registry.ts";
import { inForce } from "../policy/history.ts";
import { parseCommandLine, UsageError, usageFailure } from "./args.ts";
import type { Io } from "./io.ts";

export const IMPORT_USAGE = `usage: pledge import FILE.csv [--purpose ID] [--collection-point NAME] [--status customer|prospect|former] [--report FILE]

Creates one customer per row, through the same checks as the API (the gate, the age gate,
validation, duplicate identities, card numbers refused). A rejected row is reported by line
number and code and nothing of it is kept. The report goes to FILE.rejected.csv unless --report.`;

/** `pledge import customers.csv`: exit 0 when every row was imported, 1 when some were rejected. */
export async function importCommand(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let args;
  try {
    args = parseCommandLine(argv, {
      purpose: { type: "string" },
      "collection-point": { type: "string" },
      status: { type: "string", default: "customer" },
      report: { type: "string" },
    });
    if (args.positionals.length === 0) throw new UsageError("name the CSV file to import");
    if (args.positionals.length > 1) throw new UsageError(`unexpected argument ${args.positionals[1]}`);
    if (!STATUSES.includes(args.values.status)) {
      throw new UsageError(
        `--status: expected ${STATUSES.join(", ")}, got ${JSON.stringify(args.values.status)}`,
      );
    }
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, "import", error.message);
    throw error;
  }
  const file = args.positionals[0]!;
  const status = args.values.status;
  try {
    // Before anything is opened, so a wrong path leaves nothing behind.
    const found = await stat(file).catch(() => null);
    if (found === null) throw new StartError(`no such file: ${file}`);
    if (!found.isFile()) throw new StartError(`not a file: ${file}`);
    return await run(file, status as SubjectStatus, args.values, io, env);
  } catch (error) {
    if (
      error instanceof ImportFileError ||
      error instanceof StartError ||
      error instanceof ConfigError ||
      error instanceof PolicyError ||
      error instanceof VaultError
    ) {
      io.err(`pledge import: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

const STATUSES: readonly string[] = ["customer", "prospect", "former"];

async function run(
  file: string,
  status: SubjectStatus,
  options: { purpose?: string; "collection-point"?: string; report?: string },
  io: Io,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const config = loadConfig(env);
  const policies = await loadConfiguredPolicies(config);
  const pack = inForce(policies, new Date().toISOString());
  const purpose = options.purpose ?? pack.requests?.self_service?.purpose;
  if (purpose === undefined) {
    return usageFailure(io, "import", "name the purpose the data was collected for with --purpose");
  }
  const vault = openConfiguredVault(env, config, (m) => io.err(`Pledge: ${m}`));
  const store = await openConfiguredStore(config);
  try {
    await prepareSchema(store);
    const text = await readFile(file, "utf8");
    const deps = {
      db: store.db,
      vault,
      policies: new PolicyBook(policies),
      sections: createSubjectRegistry(),
      clock: () => new Date(),
      region: config.region,
    };
    const progress = progressBar(io);
    const report = await importCustomers(
      deps,
      { actor: { kind: "system", id: "import" }, attested: true },
      text,
      {
        purpose,
        collectionPoint: options["collection-point"] ?? `import:${path.basename(file)}`,
        defaultStatus: status,
        onProgress: progress,
      },
    );
    const reportFile = options.report ?? `${file}.rejected.csv`;
    if (report.rejected.length > 0) await writeFile(reportFile, rejectedCsv(report), { mode: 0o600 });
    io.out(
      `imported ${report.imported} of ${report.rows} rows; rejected ${report.rejected.length}` +
        (report.rejected.length ? ` (see ${reportFile})` : ""),
    );
    return report.rejected.length ? 1 : 0;
  } finally {
    await store.close();
  }
}

/** line,code,reason: line numbers and codes only, never a row's content. */
function rejectedCsv(report: ImportReport): string {
  const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;
  return (
    ["line,code,reason", ...report.rejected.map((r) => `${r.line},${r.code},${quote(r.reason)}`)].join("\n") +
    "\n"
  );
}

/** A progress bar on stderr: redrawn in place on a terminal, a line per tenth otherwise. */
function progressBar(io: Io): (done: number, total: number, imported: number, rejected: number) => void {
  const tty = process.stderr.isTTY === true;
  let lastTenth = -1;
  return (done, total, imported, rejected) => {
    const share = total === 0 ? 1 : done / total;
    const bar = "#".repeat(Math.round(share * 30)).padEnd(30, ".");
    const text = `[${bar}] ${done}/${total} rows, ${imported} imported, ${rejected} rejected`;
    if (tty) {
      process.stderr.write(`\r${text}${done === total ? "\n" : ""}`);
      return;
    }
    const tenth = Math.floor(share * 10);
    if (tenth !== lastTenth) {
      lastTenth = tenth;
      io.err(text);
    }
  };
}
