import { loadConfiguredPolicies, openConfiguredStore, prepareSchema, StartError } from "../app.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { runRetention } from "../modules/retention/retention.service.ts";
import type { RetentionRun } from "../modules/retention/retention.ts";
import { PolicyBook } from "../policy/book.ts";
import { PolicyError } from "../policy/errors.ts";
import { systemActing } from "../use/acting.ts";
import { parseCommandLine, UsageError, usageFailure } from "./args.ts";
import type { Io } from "./io.ts";

export const RETENTION_USAGE = `usage: pledge retention run [--dry-run] [--max-batches N]

Erases the orders, charges and billing details whose retention period (the pack's \`retention\`,
counted in its time_zone) has run, except those of people under a legal hold, and prints the
run's report. An
unfinished run (stopped, or cut short with --max-batches) is resumed, never started over.
--dry-run reports what would go and changes nothing. See docs/retention.md.`;

/** `pledge retention run`: exit 0 when the run finished (or the dry run reported), 3 when it stopped unfinished. */
export async function retentionCommand(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let args;
  try {
    args = parseCommandLine(argv, {
      "dry-run": { type: "boolean", default: false },
      "max-batches": { type: "string" },
    });
    if (args.positionals[0] !== "run") throw new UsageError("expected `pledge retention run`");
    if (args.positionals.length > 1) throw new UsageError(`unexpected argument ${args.positionals[1]}`);
    const max = args.values["max-batches"];
    if (max !== undefined && !/^[1-9][0-9]{0,6}$/.test(max)) {
      throw new UsageError(`--max-batches: expected a whole number 1–9999999, got ${JSON.stringify(max)}`);
    }
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, "retention", error.message);
    throw error;
  }
  const max = args.values["max-batches"];
  try {
    const config = loadConfig(env);
    const book = new PolicyBook(await loadConfiguredPolicies(config));
    const store = await openConfiguredStore(config);
    try {
      await prepareSchema(store);
      const run = await runRetention(
        { db: store.db, clock: () => new Date(), packAt: (at) => book.at(at).pack },
        systemActing("retention"),
        { dryRun: args.values["dry-run"], ...(max === undefined ? {} : { maxBatches: Number(max) }) },
      );
      for (const line of describe(run)) io.out(line);
      return run.status === "finished" ? 0 : 3;
    } finally {
      await store.close();
    }
  } catch (error) {
    if (error instanceof StartError || error instanceof ConfigError || error instanceof PolicyError) {
      io.err(`pledge retention: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/** The report as lines: counts and reasons, never a personal value. */
export function describe(run: RetentionRun): string[] {
  const r = run.report;
  const head = run.dryRun
    ? `dry run as of ${run.asOf} (policy ${run.policyVersion}, days in ${run.timeZone}): nothing was changed`
    : `run ${run.id} as of ${run.asOf} (policy ${run.policyVersion}, days in ${run.timeZone}): ${run.status}`;
  const verb = run.dryRun ? "would erase" : "erased";
  return [
    head,
    ...r.items.map(
      (i) =>
        `  ${i.item}: ${verb} ${i.erased} dated before ${i.cutoff} (${i.periods.join(", ")} from ${i.from}; ${i.categories.join(", ")})` +
        (i.keptByHold > 0 ? `; kept ${i.keptByHold} under legal hold` : ""),
    ),
    `  subjects: ${r.subjects} with items ${verb}, ${r.heldSubjects} passed over for a legal hold`,
    ...r.unenforced.map((u) => `  not enforced: ${u.categories.join(", ")} ${u.period}: ${u.why}`),
    ...(run.status === "running" ? ["  unfinished: run `pledge retention run` again to resume it"] : []),
  ];
}
