import { readFile } from "node:fs/promises";
import { StartError } from "../app.ts";
import { ConfigError } from "../config.ts";
import { PledgeError } from "../errors.ts";
import { diffPolicies, formatDiff } from "../policy/diff.ts";
import { formatIssue, PolicyError } from "../policy/errors.ts";
import { explain, ExplainInputError, formatDecision, parseFacts, parseUse } from "../policy/explain.ts";
import { loadPackFile } from "../policy/load.ts";
import { renderPolicy, type RenderFormat } from "../policy/render.ts";
import { PolicyBook } from "../policy/book.ts";
import { loadConfiguredPolicies, openConfiguredStore, prepareSchema } from "../app.ts";
import { loadConfig } from "../config.ts";
import { campaignAnnouncer } from "../modules/policy-versions/versions.announce.ts";
import { publishPolicy } from "../modules/policy-versions/versions.service.ts";
import { PublishedSync } from "../modules/policy-versions/versions.sync.ts";
import { systemActing } from "../use/acting.ts";
import { parseCommandLine, UsageError, usageFailure } from "./args.ts";
import type { Io } from "./io.ts";

export const POLICY_USAGE = [
  "usage: pledge policy check FILE...",
  "       pledge policy render FILE [--format md|html]",
  "       pledge policy diff OLD NEW [--json]",
  "       pledge policy explain FILE --use JSON|@file [--facts JSON|@file]",
  "       pledge policy publish FILE",
].join("\n");

/** Each subcommand: its flags, how many files it takes (min, max). */
const SUBCOMMANDS = {
  check: { flags: [], files: [1, Infinity] },
  render: { flags: ["format"], files: [1, 1] },
  diff: { flags: ["json"], files: [2, 2] },
  explain: { flags: ["use", "facts"], files: [1, 1] },
  publish: { flags: [], files: [1, 1] },
} as const satisfies Record<string, { flags: readonly string[]; files: readonly [number, number] }>;
type Subcommand = keyof typeof SUBCOMMANDS;

const FORMATS: readonly RenderFormat[] = ["md", "html"];

/**
 * `pledge policy …`. Exit codes: 0 done (for explain: the question was answered, whatever the
 * outcome, which is printed first); 1 a pack is invalid or an input cannot be read; 2 bad
 * arguments (a line naming what was wrong).
 */
export async function policyCommand(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined) {
    io.err(POLICY_USAGE);
    return 2;
  }
  let args: Args;
  try {
    args = readArgs(sub, rest);
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, "policy", error.message);
    throw error;
  }
  try {
    switch (args.sub) {
      case "check":
        return await check(args.files, io);
      case "render":
        io.out(renderPolicy(await loadPackFile(args.files[0]!), args.format));
        return 0;
      case "diff": {
        const [a, b] = await Promise.all(args.files.map((f) => loadPackFile(f)));
        const diff = diffPolicies(a!, b!);
        io.out(args.json ? JSON.stringify(diff, null, 2) + "\n" : formatDiff(diff));
        return 0;
      }
      case "explain": {
        const pack = await loadPackFile(args.files[0]!);
        const use = parseUse(pack, await inline(args.use ?? ""));
        const facts = parseFacts(pack, use, args.facts === undefined ? undefined : await inline(args.facts));
        io.out(formatDecision(explain(pack, use, facts)));
        return 0;
      }
      case "publish":
        return await publishCommand(args.files[0]!, io, env);
      default: {
        const unknown: never = args.sub;
        throw new Error(`unhandled policy subcommand ${String(unknown)}`);
      }
    }
  } catch (e) {
    if (e instanceof PolicyError) {
      io.err(e.issues.length ? e.issues.map(formatIssue).join("\n") : e.message);
      return 1;
    }
    if (e instanceof PledgeError || e instanceof StartError || e instanceof ConfigError) {
      io.err(`pledge policy: ${e.message}`);
      return 1;
    }
    if (isNotFound(e)) {
      io.err(`pledge policy: no such file: ${(e as NodeJS.ErrnoException).path ?? "?"}`);
      return 1;
    }
    if (e instanceof ExplainInputError) {
      io.err(`pledge policy: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

interface Args {
  readonly sub: Subcommand;
  readonly files: readonly string[];
  readonly format: RenderFormat;
  readonly json: boolean;
  readonly use: string | undefined;
  readonly facts: string | undefined;
}

/** The invocation, or a UsageError naming the first thing wrong with it. */
function readArgs(sub: string, rest: readonly string[]): Args {
  if (!Object.hasOwn(SUBCOMMANDS, sub)) throw new UsageError(`unknown subcommand ${JSON.stringify(sub)}`);
  const spec = SUBCOMMANDS[sub as Subcommand];
  const { values, positionals } = parseCommandLine(rest, {
    format: { type: "string" },
    json: { type: "boolean" },
    use: { type: "string" },
    facts: { type: "string" },
  });
  const allowed: readonly string[] = spec.flags;
  const other = Object.keys(values).find((k) => !allowed.includes(k));
  if (other !== undefined) throw new UsageError(`--${other} is not an option of policy ${sub}`);
  const [min, max] = spec.files;
  if (positionals.length < min) {
    throw new UsageError(`policy ${sub} needs ${min === 2 ? "two files, OLD and NEW" : "a pack FILE"}`);
  }
  if (positionals.length > max) throw new UsageError(`unexpected argument ${positionals[max]}`);
  const format = values.format ?? "md";
  if (!FORMATS.includes(format as RenderFormat)) {
    throw new UsageError(`--format: expected ${FORMATS.join(" or ")}, got ${JSON.stringify(format)}`);
  }
  if (sub === "explain" && !values.use) throw new UsageError("policy explain needs --use JSON|@file");
  return {
    sub: sub as Subcommand,
    files: positionals,
    format: format as RenderFormat,
    json: values.json ?? false,
    use: values.use,
    facts: values.facts,
  };
}

async function check(files: readonly string[], io: Io): Promise<number> {
  let failed = 0;
  for (const file of files) {
    try {
      const pack = await loadPackFile(file);
      io.out(`ok ${file} (${pack.company} ${pack.version})`);
    } catch (e) {
      failed++;
      if (e instanceof PolicyError)
        io.err(e.issues.length ? e.issues.map(formatIssue).join("\n") : e.message);
      else if (isNotFound(e)) io.err(`${file}: no such file`);
      else throw e;
    }
  }
  return failed === 0 ? 0 : 1;
}

/**
 * `pledge policy publish FILE`: publishes a new version into the configured store, as
 * `POST /v1/policy/versions` does; running nodes pick it up within seconds. A material change is
 * announced by a policy_change campaign made here as a draft (this command sends no email); the
 * output names it, to be sent with `POST /v1/campaigns/:id/send`.
 */
async function publishCommand(file: string, io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const yaml = await readFile(file, "utf8");
  const config = loadConfig(env);
  const book = new PolicyBook(await loadConfiguredPolicies(config));
  const store = await openConfiguredStore(config);
  try {
    await prepareSchema(store);
    const sync = new PublishedSync(store.db, book);
    await sync.sync();
    const clock = () => new Date();
    // The announcement is made as a draft campaign: a use about nobody, which opens no record.
    const vault = {
      cipherFor: () => Promise.reject(new Error("pledge policy publish opens no one's record")),
    };
    const campaigns = { db: store.db, policies: book, vault, clock, region: config.region, enqueue: null };
    const result = await publishPolicy(
      {
        db: store.db,
        sync,
        clock,
        region: config.region,
        announce: campaignAnnouncer(campaigns, systemActing("policy-publish")),
      },
      { yaml, actor: "system", source: file },
    );
    const material = result.changes.filter((c) => c.material).length;
    io.out(
      [
        `published ${result.company} ${result.version}, in force from ${result.effectiveFrom.toISOString()}` +
          (result.follows === null ? "" : ` (follows ${result.follows})`),
        `${result.changes.length} change(s), ${material} material`,
        `announcement: ${result.announcement.note}` +
          (result.announcement.campaignId === null ? "" : ` (campaign ${result.announcement.campaignId})`),
      ].join("\n"),
    );
    return 0;
  } finally {
    await store.close();
  }
}

/** `@path` reads JSON from a file; anything else is the JSON itself. */
async function inline(value: string): Promise<string> {
  return value.startsWith("@") ? readFile(value.slice(1), "utf8") : value;
}

function isNotFound(e: unknown): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === "ENOENT";
}
