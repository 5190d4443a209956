import { realpathSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Io } from "./io.ts";

import { asksForHelp } from "./args.ts";

/**
 * `pledge <command> [args]`. Each command is a function `(argv, io) => Promise<exit code>` with its
 * usage text, loaded only when asked for, so `pledge help` does not open a store or load the HTTP
 * stack. `--help` or `-h` anywhere before `--` prints the command's usage on stdout, exit 0.
 */
type Command = (argv: string[], io: Io) => Promise<number>;
interface Loaded {
  readonly run: Command;
  readonly usage: string;
}

const COMMANDS: Record<string, { summary: string; load: () => Promise<Loaded> }> = {
  serve: {
    summary: "run the HTTP API",
    load: async () => {
      const m = await import("./serve.ts");
      return { run: m.serveCommand, usage: m.SERVE_USAGE };
    },
  },
  migrate: {
    summary: "bring the store's schema up to date",
    load: async () => {
      const m = await import("./migrate.ts");
      return { run: m.migrateCommand, usage: m.MIGRATE_USAGE };
    },
  },
  audit: {
    summary: "audit verify | checkpoint | log: check, sign and read the audit log",
    load: async () => {
      const m = await import("./audit.ts");
      return { run: m.auditCommand, usage: m.AUDIT_USAGE };
    },
  },
  policy: {
    summary: "policy check | render | diff | explain | publish",
    load: async () => {
      const m = await import("./policy.ts");
      return { run: m.policyCommand, usage: m.POLICY_USAGE };
    },
  },
  staff: {
    summary: "staff add | list | attest | key | keys | revoke",
    load: async () => {
      const m = await import("./staff.ts");
      return { run: m.staffCommand, usage: m.STAFF_USAGE };
    },
  },
  import: {
    summary: "import customers from a CSV file, with a report of rejected rows",
    load: async () => {
      const m = await import("./import.ts");
      return { run: m.importCommand, usage: m.IMPORT_USAGE };
    },
  },
  retention: {
    summary: "retention run [--dry-run]: erase what is past the pack's retention periods",
    load: async () => {
      const m = await import("./retention.ts");
      return { run: m.retentionCommand, usage: m.RETENTION_USAGE };
    },
  },
  audiences: {
    summary: "audiences build | check: the kept audiences campaigns read",
    load: async () => {
      const m = await import("./audiences.ts");
      return { run: m.audiencesCommand, usage: m.AUDIENCES_USAGE };
    },
  },
  keys: {
    summary: "keys init | status | rotate | retire",
    load: async () => {
      const m = await import("./keys.ts");
      return { run: m.keysCommand, usage: m.KEYS_USAGE };
    },
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
    `  ${"help".padEnd(width)}  this text; \`pledge help COMMAND\` or \`pledge COMMAND --help\`: a command's own`,
  ].join("\n");
}

export async function main(argv: string[], io: Io): Promise<number> {
  // `pledge help staff` is `pledge staff --help`.
  const helpFor = argv[0] === "help" ? argv[1] : undefined;
  const [name, ...rest] = helpFor === undefined ? argv : [helpFor, "--help"];
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    if (name === undefined) io.err(usage());
    else io.out(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`pledge: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 2;
  }
  const loaded = await command.load();
  if (asksForHelp(rest)) {
    io.out(loaded.usage);
    return 0;
  }
  return loaded.run(rest, io);
}

function invokedDirectly(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  const real = realpathSync(path.resolve(entry));
  return real === fileURLToPath(import.meta.url) || real.endsWith(path.join("bin", "pledge.js"));
}

if (invokedDirectly()) {
  // Whatever pledge creates (the data directory, key files, reports) is its owner's alone.
  process.umask(0o077);
  const io: Io = { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`) };
  const code = await main(process.argv.slice(2), io).catch(async (error: unknown) => {
    io.err(await describeFailure(process.argv[2] ?? "", error));
    return 1;
  });
  process.exitCode = code;
  // A library handle left open must not keep a finished command alive.
  setTimeout(() => process.exit(code), 2_000).unref();
}

/**
 * A failure no command answered itself. One the operator can act on (configuration, start-up,
 * a locked store, keys, a refusal with a code) is its message; anything else is a bug, with its
 * stack.
 */
async function describeFailure(command: string, error: unknown): Promise<string> {
  const [{ StartError }, { ConfigError }, { VaultError }, { PledgeError }, { StoreLockedError }] =
    await Promise.all([
      import("../app.ts"),
      import("../config.ts"),
      import("../crypto/errors.ts"),
      import("../errors.ts"),
      import("../store/lock.ts"),
    ]);
  const prefix = command === "" ? "pledge" : `pledge ${command}`;
  if (error instanceof PledgeError) return `${prefix}: ${error.detail}`;
  if (
    error instanceof StartError ||
    error instanceof ConfigError ||
    error instanceof VaultError ||
    error instanceof StoreLockedError
  ) {
    return `${prefix}: ${error.message}`;
  }
  return `${prefix}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}
