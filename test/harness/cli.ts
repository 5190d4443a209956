import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { until } from "./wait.ts";

/**
 * The `pledge` command as an operator runs it: `bin/pledge.js` in a child process, with the
 * environment given on top of a quiet default (no DATABASE_URL from the test run, warn-level logs).
 */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const QUIET: Record<string, string> = {
  DATABASE_URL: "",
  PLEDGE_BOOTSTRAP_KEY: "",
  LOG_LEVEL: "warn",
  PLEDGE_HOST: "127.0.0.1",
  PLEDGE_PORT: "0",
};

export interface Ran {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

/** Runs `pledge ...args` to its end. */
export function runPledge(args: readonly string[], env: Record<string, string> = {}): Promise<Ran> {
  const child = start(args, env);
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, out, err }));
  });
}

export interface Served {
  readonly url: string;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** SIGTERM, then its exit code. */
  stop(): Promise<number | null>;
}

/** Starts `pledge serve` and resolves once it prints the address it listens on. */
export async function spawnServe(env: Record<string, string>): Promise<Served> {
  const child = start(["serve"], env);
  let seen = "";
  let exit: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      exit = code;
      resolve(code);
    }),
  );
  child.stdout!.on("data", (c: Buffer) => (seen += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (seen += c.toString()));
  const url = await until("pledge serve to listen", () => {
    if (exit !== undefined) throw new Error(`pledge serve exited (${exit}) before listening:\n${seen}`);
    return /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen)?.[1] ?? null;
  }).catch((error: unknown) => {
    child.kill("SIGKILL");
    throw error;
  });
  return {
    url,
    output: () => seen,
    stop: async () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

function start(args: readonly string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ["bin/pledge.js", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...QUIET, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}
