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
import type { Io } from "./io.ts";
import { systemActing } from "../use/acting.ts";

export const POLICY_USAGE = [
  "usage: pledge policy check FILE...",
  "       pledge policy render FILE [--format md|html]",
  "       pledge policy diff OLD NEW [--json]",
  "       pledge policy explain FILE --use JSON|@file [--facts JSON|@file]",
  "       pledge policy publish FILE",
].join("\n");

/**
 * `pledge policy …`. Exit codes: 0 done (for explain: the question was answered, whatever the
 * outcome, which is printed first); 1 a pack is invalid or an input cannot be read; 2 bad
 * arguments (usage is printed).
 */
export async function policyCommand(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [sub, ...rest] = argv;
  const args = parseArgs(rest);
  if (args === null) return usage(io);
  try {
    switch (sub) {
      case "check":
        return await check(args.positional, io);
      case "render": {
        const format = args.flags.get("format") ?? "md";
        if (args.positional.length !== 1 || !isFormat(format) || hasOther(args, ["format"])) return usage(io);
        io.out(renderPolicy(await loadPackFile(args.positional[0]!), format));
        return 0;
      }
      case "diff": {
        if (args.positional.length !== 2 || hasOther(args, ["json"])) return usage(io);
        const [a, b] = await Promise.all(args.positional.map((f) => loadPackFile(f)));
        const diff = diffPolicies(a!, b!);
        io.out(args.flags.has("json") ? JSON.stringify(diff, null, 2) + "\n" : formatDiff(diff));
        return 0;
      }
      case "explain": {
        const useText = args.flags.get("use");
        if (args.positional.length !== 1 || !useText || hasOther(args, ["use", "facts"])) return usage(io);
        const pack = await loadPackFile(args.positional[0]!);
        const use = parseUse(pack, await inline(useText));
        const factsText = args.flags.get("facts");
        const facts = parseFacts(pack, use, factsText === undefined ? undefined : await inline(factsText));
        io.out(formatDecision(explain(pack, use, facts)));
        return 0;
      }
      case "publish": {
        if (args.positional.length !== 1 || args.flags.size > 0) return usage(io);
        return await publishCommand(args.positional[0]!, io, env);
      }
      case undefined:
      default:
        return usage(io);
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
    if (e instanceof ExplainInputError || isNotFound(e)) {
      io.err(`pledge policy: ${(e as Error).message}`);
      return 1;
    }
    throw e;
  }
}

async function check(files: readonly string[], io: Io): Promise<number> {
  if (files.length === 0) return usage(io);
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

interface Args {
  positional: string[];
  flags: Map<string, string>;
}

const VALUE_FLAGS = new Set(["format", "use", "facts"]);
const BOOL_FLAGS = new Set(["json"]);

function parseArgs(argv: readonly string[]): Args | null {
  const args: Args = { positional: [], flags: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) {
      args.positional.push(a);
      continue;
    }
    const [name, eq] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (BOOL_FLAGS.has(name) && eq === undefined) args.flags.set(name, "true");
    else if (VALUE_FLAGS.has(name)) {
      const value = eq ?? argv[++i];
      if (value === undefined) return null;
      args.flags.set(name, value);
    } else return null;
  }
  return args;
}

function hasOther(args: Args, allowed: readonly string[]): boolean {
  return [...args.flags.keys()].some((k) => !allowed.includes(k));
}

function isFormat(f: string): f is RenderFormat {
  return f === "md" || f === "html";
}

/** `@path` reads JSON from a file; anything else is the JSON itself. */
async function inline(value: string): Promise<string> {
  return value.startsWith("@") ? readFile(value.slice(1), "utf8") : value;
}

function isNotFound(e: unknown): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === "ENOENT";
}

function usage(io: Io): number {
  io.err(POLICY_USAGE);
  return 2;
}
