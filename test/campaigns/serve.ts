import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freshStore, postgresUrlOf, testStoreKind } from "../harness/store.ts";

/**
 * `pledge serve` as a child process on the test's store: PGlite in a temporary data directory,
 * or (PLEDGE_TEST_STORE=postgres) a fresh migrated database on the test server. `start()` can be
 * called again after `kill()`: the same store, keys and admin key.
 */
export interface ServedPledge {
  readonly key: string;
  start(): Promise<string>;
  kill(): void;
  stop(): Promise<void>;
  /** Removes the data directory (a PostgreSQL store goes when the run ends). */
  cleanup(): Promise<void>;
}

export async function servePledge(env: Record<string, string>): Promise<ServedPledge> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "pledge-kill-"));
  const key = `pk_killtest_${randomBytes(32).toString("base64url")}`;
  const base: Record<string, string> = {
    PLEDGE_HOST: "127.0.0.1",
    PLEDGE_PORT: "0",
    PLEDGE_DATA_DIR: dataDir,
    PLEDGE_POLICY: "partstore",
    PLEDGE_BOOTSTRAP_KEY: key,
    LOG_LEVEL: "error",
    DATABASE_URL: "",
  };
  if (testStoreKind === "postgres") {
    const store = await freshStore();
    base.DATABASE_URL = postgresUrlOf(store);
    await store.close();
    base.PLEDGE_MASTER_KEY = randomBytes(32).toString("base64");
    base.PLEDGE_INDEX_KEY = randomBytes(32).toString("base64");
  }
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  return {
    key,
    async start() {
      // A killed predecessor must be gone (reaped) first: until then its lock on the embedded
      // store is held by a live pid, and this start would be refused.
      await exited;
      const proc = spawn(process.execPath, ["bin/pledge.js", "serve"], {
        env: { ...process.env, ...base, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child = proc;
      exited = new Promise((resolve) => proc.once("exit", () => resolve()));
      return new Promise((resolve, reject) => {
        let out = "";
        let err = "";
        proc.stdout!.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(out);
          if (match?.[1]) resolve(match[1].replace(/,$/, ""));
        });
        proc.stderr!.on("data", (chunk: Buffer) => {
          err += chunk.toString();
        });
        proc.once("exit", (code) => reject(new Error(`pledge serve exited (${code}): ${err}`)));
      });
    },
    kill() {
      child?.kill("SIGKILL");
    },
    async stop() {
      child?.kill("SIGTERM");
      await exited;
    },
    // On PostgreSQL the store's database is dropped when the run ends.
    async cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
