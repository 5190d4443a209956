import { spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { until } from "./wait.ts";

/**
 * A PostgreSQL server of the test's own, in a temporary data directory, that the test may stop,
 * start and kill: the shared server on 5432 is never touched. Needs the server binaries
 * (Debian's `postgresql` package: /usr/lib/postgresql/<n>/bin). As root, the server runs as the
 * `postgres` user, since PostgreSQL refuses to run as root.
 */
export interface OwnPostgres {
  readonly url: string;
  /** Starts the server; after a crash, retries until the old backends have gone. */
  start(): Promise<void>;
  /** A clean shutdown (`pg_ctl stop -m fast`): sessions end with 57P01. */
  stop(): void;
  /** SIGKILL to the postmaster, as a crash would. */
  kill(): void;
  /** Stops the server if it runs and removes its directory. */
  destroy(): void;
}

/** The directory of initdb and pg_ctl, newest version first; null when none is installed. */
export function postgresBinDir(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : path.join(root, versions[0], "bin");
}

export async function createOwnPostgres(bin: string): Promise<OwnPostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), "pledge-own-pg-"));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dir, uid("postgres"), gid("postgres"));
  const run = (tool: string, args: string[]) => {
    const command = asRoot ? "runuser" : path.join(bin, tool);
    const argv = asRoot ? ["-u", "postgres", "--", path.join(bin, tool), ...args] : args;
    return spawnSync(command, argv, { encoding: "utf8", cwd: dir });
  };
  const data = path.join(dir, "data");
  const init = run("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync"]);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=on`;
  let running = false;

  const startOnce = () =>
    run("pg_ctl", ["-D", data, "-l", path.join(dir, "log"), "-w", "-t", "30", "-o", options, "start"]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      // After a kill the old backends notice the postmaster's death and exit within moments;
      // until then the shared memory is in use and a start is refused.
      await until(
        "PostgreSQL to start",
        () => {
          const r = startOnce();
          return r.status === 0;
        },
        { timeoutMs: 60_000, everyMs: 200 },
      );
      running = true;
    },
    stop() {
      const r = run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
      if (r.status !== 0) throw new Error(`pg_ctl stop failed: ${r.stderr}`);
      running = false;
    },
    kill() {
      const pid = Number(readFileSync(path.join(data, "postmaster.pid"), "utf8").split("\n")[0]);
      process.kill(pid, "SIGKILL");
      running = false;
    },
    destroy() {
      if (running || existsSync(path.join(data, "postmaster.pid"))) {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function uid(user: string): number {
  return Number(spawnSync("id", ["-u", user], { encoding: "utf8" }).stdout.trim());
}

function gid(user: string): number {
  return Number(spawnSync("id", ["-g", user], { encoding: "utf8" }).stdout.trim());
}
