import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mailWarnings } from "../../src/cli/serve.ts";
import { loadConfig } from "../../src/config.ts";
import { runPledge, spawnServe } from "../harness/cli.ts";

/**
 * The operator's path on the embedded store, through the `pledge` command: one process owns the
 * data directory (a second is refused and writes nothing), the directory is private to its owner,
 * and start-up warns about mail settings that would send unusable unsubscribe links.
 */
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "pledge-operator-"));
  dirs.push(dir);
  return dir;
}

/** Every directory and file under `dir` (and `dir` itself) with its permission bits. */
function modes(dir: string): { path: string; dir: boolean; mode: string }[] {
  const found = [{ path: dir, dir: true, mode: (statSync(dir).mode & 0o777).toString(8) }];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const at = path.join(entry.parentPath, entry.name);
    found.push({ path: at, dir: entry.isDirectory(), mode: (statSync(at).mode & 0o777).toString(8) });
  }
  return found;
}

describe("the embedded store belongs to one process", () => {
  it("while pledge serve runs, staff add, migrate and a second serve are refused and write nothing; after it stops, staff add works", async () => {
    const dir = dataDir();
    const env = {
      PLEDGE_DATA_DIR: dir,
      PLEDGE_POLICY: "zmailcloud",
      // Upper case: the same region as the pack's `us` (ZM-11 would refuse any other).
      PLEDGE_REGION: "US",
      PLEDGE_SMTP_URL: "smtp://127.0.0.1:1",
    };
    const server = await spawnServe(env);
    let code: number | null;
    try {
      expect(server.output()).toContain(
        "Pledge: warning: email is configured (PLEDGE_SMTP_URL) but PLEDGE_PUBLIC_URL http://localhost:4000 is not https and points at this machine",
      );

      const lock = JSON.parse(readFileSync(path.join(dir, "db.lock"), "utf8")) as { pid: number };
      expect(lock).toMatchObject({ pid: expect.any(Number), command: "serve" });
      expect((statSync(path.join(dir, "db.lock")).mode & 0o777).toString(8)).toBe("600");

      const refused = await runPledge(["staff", "add", "--name", "Quentin Refused", "--role", "admin"], env);
      expect(refused.code, refused.err).toBe(1);
      expect(refused.out).toBe("");
      expect(refused.err).toBe(
        `pledge staff: the embedded store in ${dir} is in use by process ${lock.pid} (pledge serve): ` +
          "only one process can open it. Stop that process first, or, while `pledge serve` runs, use the " +
          `HTTP API (docs/operations.md). If no such process runs, delete ${path.join(dir, "db.lock")}\n`,
      );
      expect(refused.err).not.toMatch(/\n\s+at /);

      const migrate = await runPledge(["migrate"], env);
      expect(migrate.code).toBe(1);
      expect(migrate.err).toContain(`is in use by process ${lock.pid} (pledge serve)`);

      const second = await runPledge(["serve"], env);
      expect(second.code).toBe(1);
      expect(second.err).toContain(`is in use by process ${lock.pid} (pledge serve)`);

      // The running server was not disturbed.
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

      // The first start printed a console set-up code for the admin it made, and it opens the set-up.
      const setupCode = /the set-up code ([A-Za-z0-9_-]{24}) /.exec(server.output())?.[1];
      expect(setupCode, server.output()).toBeDefined();
      const setup = await fetch(`${server.url}/v1/console/setup/secret`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", setupCode }),
      });
      expect(setup.status).toBe(200);
      expect(((await setup.json()) as { uri: string }).uri).toMatch(/^otpauth:\/\/totp\/Pledge:admin\?/);
    } finally {
      code = await server.stop();
    }
    expect(code).toBe(0);
    expect(readdirSync(dir)).not.toContain("db.lock");

    const added = await runPledge(["staff", "add", "--name", "Robin Later", "--role", "admin"], env);
    expect(added.code, added.err).toBe(0);
    const listed = await runPledge(["staff", "list"], env);
    expect(listed.code, listed.err).toBe(0);
    const names = listed.out
      .trim()
      .split("\n")
      .map((line) => line.split("\t").at(-1));
    expect(names).toEqual(["Administrator", "Robin Later"]);
    expect(listed.out).toContain(added.out.trim());

    // Private to its owner: every directory 0700, every file 0600, keys and database alike.
    const found = modes(dir);
    expect(found.length).toBeGreaterThan(100);
    expect(found.filter((f) => f.mode !== (f.dir ? "700" : "600"))).toEqual([]);
    expect(found.map((f) => path.relative(dir, f.path))).toEqual(
      expect.arrayContaining(["master.keys", "index.key", "db", path.join("db", "PG_VERSION")]),
    );
  });

  it("a lock left by a process that is no longer running is taken over", async () => {
    const dir = dataDir();
    const gone = spawn(process.execPath, ["-e", ""]);
    const pid = gone.pid!;
    await new Promise((resolve) => gone.once("exit", resolve));
    writeFileSync(path.join(dir, "db.lock"), `${JSON.stringify({ pid, command: "serve" })}\n`);

    const listed = await runPledge(["staff", "list"], { PLEDGE_DATA_DIR: dir });
    expect(listed.code, listed.err).toBe(0);
    expect(listed.err).not.toContain("in use");
    expect(readdirSync(dir)).not.toContain("db.lock");
  });

  it("a lock that cannot be read as an owner is never taken for stale", async () => {
    const dir = dataDir();
    writeFileSync(path.join(dir, "db.lock"), "");
    const refused = await runPledge(["migrate"], { PLEDGE_DATA_DIR: dir });
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`If no such process runs, delete ${path.join(dir, "db.lock")}`);
    expect(readdirSync(dir)).toEqual(["db.lock"]);
  });
});

describe("start-up warnings and regions", () => {
  it("mail configured with an https public URL gives no warning; without SMTP there is nothing to warn about", () => {
    const base = { PLEDGE_SMTP_URL: "smtp://relay.example.net" };
    expect(mailWarnings(loadConfig({ ...base, PLEDGE_PUBLIC_URL: "https://pledge.example.com" }))).toEqual(
      [],
    );
    expect(mailWarnings(loadConfig({ ...base, PLEDGE_PUBLIC_URL: "http://pledge.example.com" }))).toEqual([
      expect.stringContaining("PLEDGE_PUBLIC_URL http://pledge.example.com is not https:"),
    ]);
    expect(mailWarnings(loadConfig({ ...base, PLEDGE_PUBLIC_URL: "https://127.0.0.1:8443" }))).toEqual([
      expect.stringContaining("points at this machine"),
    ]);
    expect(mailWarnings(loadConfig({}))).toEqual([]);
  });

  it("PLEDGE_REGION is read in any case: EU is eu", async () => {
    expect(loadConfig({ PLEDGE_REGION: "EU" }).region).toBe("eu");
    expect(loadConfig({ PLEDGE_REGION: "eu" }).region).toBe("eu");
    const run = await runPledge(["serve"], {
      PLEDGE_DATA_DIR: dataDir(),
      PLEDGE_POLICY: "zmailcloud",
      PLEDGE_REGION: "EU",
    });
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/refusing to start: .*clause ZM-11.*PLEDGE_REGION is eu/);
    expect(run.err).not.toContain("PLEDGE_REGION: expected");
  });
});
