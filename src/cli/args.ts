import { parseArgs, type ParseArgsConfig } from "node:util";
import type { Io } from "./io.ts";

/**
 * How every `pledge` command reads its arguments and answers a wrong invocation: one line naming
 * what was wrong, one line pointing at the command's `--help`, exit code 2. Never a stack trace.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** `node:util` parseArgs (strict, positionals allowed), its errors turned into one-line UsageErrors. */
export function parseCommandLine<const O extends Options>(args: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(parserMessage(error));
  }
}

function parserMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /^Option '(\S+?)(?:, \S+)?(?: <value>)?' argument missing/.exec(message);
  if (missing) return `${missing[1]} needs a value`;
  const extra = /^Option '(\S+?)' does not take an argument/.exec(message);
  if (extra) return `${extra[1]} takes no value`;
  const positional = /^Unexpected argument '([^']+)'/.exec(message);
  if (positional) return `unexpected argument ${positional[1]}`;
  return message.split(/\.\s/)[0] ?? message;
}

/** Writes a wrong invocation's two lines and returns its exit code, 2. */
export function usageFailure(io: Io, command: string, message: string): number {
  io.err(`pledge ${command}: ${message}`);
  io.err(`run "pledge ${command} --help" for usage`);
  return 2;
}

/** Whether `--help` or `-h` comes before any `--` (after which everything is an operand). */
export function asksForHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === "--") return false;
    if (a === "--help" || a === "-h") return true;
  }
  return false;
}
