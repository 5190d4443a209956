import { realpathSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Io } from "./io.ts";

/**
 * `pledge <command> [args]`. Each command is a function `(argv, io) => Promise<exit code>`, loaded
 * only when asked for, so `pledge help` does not open a store or load the HTTP stack.
 */
type Command = (argv: string[], io: Io) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  serve: { summary: "run the HTTP API", load: async () => (await import("./serve.ts")).serveCommand },
  migrate: {
    summary: "bring the store's schema up to date",
    load: async () => (await import("./migrate.ts")).migrateCommand,
  },
  audit: {
    summary: "audit verify | checkpoint | log: check, sign and read the audit log",
    load: async () => (await import("./audit.ts")).auditCommand,
  },
  policy: {
    summary: "policy check | render | diff | explain | publish",
    load: async () => (await import("./policy.ts")).policyCommand,
  },
  staff: {
    summary: "staff add | attest | key | revoke",
    load: async () => (await import("./staff.ts")).staffCommand,
  },
  import: {
    summary: "import customers from a CSV file, with a report of rejected rows",
    load: async () => (await import("./import.ts")).importCommand,
  },
  keys: {
    summary: "keys init | status | rotate | retire",
    load: async () => (await import("./keys.ts")).keysCommand,
  },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    "usage: pledge <command> [options]",
    "",
    "commands:",
    ...lines,
    `  ${"help".padEnd(width)}  this text`,
  ].join("\n");
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`pledge: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 2;
  }
  return (await command.load())(rest, io);
}

function invokedDirectly(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  const real = realpathSync(path.resolve(entry));
  return real === fileURLToPath(import.meta.url) || real.endsWith(path.join("bin", "pledge.js"));
}

if (invokedDirectly()) {
  const io: Io = { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`) };
  const code = await main(process.argv.slice(2), io).catch((error: unknown) => {
    io.err(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return 1;
  });
  process.exitCode = code;
  // A library handle left open must not keep a finished command alive.
  setTimeout(() => process.exit(code), 2_000).unref();
}
