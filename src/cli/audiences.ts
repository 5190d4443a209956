import { loadConfiguredPolicies, openConfiguredStore, prepareSchema, StartError } from "../app.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { PolicyBook } from "../policy/book.ts";
import { PolicyError } from "../policy/errors.ts";
import { buildKept, checkKept, keptAudiences, sweepKept, type KeptAudience } from "../use/kept.ts";
import type { KeptDescription } from "../use/kept.table.ts";
import { parseCommandLine, UsageError, usageFailure } from "./args.ts";
import type { Io } from "./io.ts";

export const AUDIENCES_USAGE = `usage: pledge audiences build | check

Kept audiences (docs/campaigns.md#kept-audiences): who each marketing send of the policy in force
may reach, kept current with every change so that a campaign reads them instead of deciding
everyone again. A server builds those not yet built for the version in force by itself.
  build   rebuilds each audience of the policy in force from scratch, forgets those it no
          longer keeps, and works out again the people writes marked since the last sweep.
  check   compares each audience with what the gate selects now; exits 4 when one differs.`;

/** `pledge audiences build | check`. */
export async function audiencesCommand(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let verb: string;
  try {
    const args = parseCommandLine(argv, {});
    verb = args.positionals[0] ?? "";
    if (verb !== "build" && verb !== "check")
      throw new UsageError("expected `pledge audiences build` or `check`");
    if (args.positionals.length > 1) throw new UsageError(`unexpected argument ${args.positionals[1]}`);
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, "audiences", error.message);
    throw error;
  }
  try {
    const config = loadConfig(env);
    const book = new PolicyBook(await loadConfiguredPolicies(config));
    const store = await openConfiguredStore(config);
    try {
      await prepareSchema(store);
      const now = new Date();
      const { pack, policy } = book.at(now.toISOString());
      const audiences: readonly KeptAudience[] = keptAudiences(policy, pack, config.region);
      if (verb === "build") {
        const built = await buildKept(store.db, audiences, policy.version, now);
        await sweepKept(store.db, audiences);
        io.out(`built ${built.length} audiences for policy ${policy.version}`);
        for (const b of built) io.out(`  ${b.key} ${describeSend(b.description)}: ${b.members} people`);
        return 0;
      }
      const checks = await checkKept(store.db, audiences, policy.version);
      io.out(`${checks.length} audiences kept under policy ${policy.version}`);
      let differ = false;
      for (const c of checks) {
        const state = !c.built ? "not built" : c.missing + c.extra === 0 ? "current" : "DIFFERS";
        if (c.built && c.missing + c.extra > 0) differ = true;
        io.out(
          `  ${c.key} ${describeSend(c.description)}: ${state}, ${c.members} rows, ${c.missing} missing, ${c.extra} extra`,
        );
      }
      return differ ? 4 : 0;
    } finally {
      await store.close();
    }
  } catch (error) {
    if (error instanceof StartError || error instanceof ConfigError || error instanceof PolicyError) {
      io.err(`pledge audiences: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

function describeSend(d: KeptDescription): string {
  return `${d.purpose}${d.topic === null ? "" : ` (topic ${d.topic})`} by ${d.channel}`;
}
