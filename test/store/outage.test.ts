import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createOwnPostgres, postgresBinDir, type OwnPostgres } from "../harness/own-postgres.ts";
import { until } from "../harness/wait.ts";

/**
 * `pledge serve` on a PostgreSQL that goes away under write load: a clean restart (sessions end
 * with 57P01), then a kill -9 of the postmaster. While the database is gone every request is
 * answered 503 PLEDGE_STORE_UNAVAILABLE (never 500, never a dropped connection), /readyz says so,
 * the process keeps running, and it serves again by itself when the database is back. Every write
 * that was acknowledged (201) is in the database at the end.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bin = postgresBinDir();
const KEY = `pk_outage0test_${"O".repeat(43)}`;
const PURPOSE = "essential.service.order_fulfilment";

interface Answer {
  readonly status: number | "dropped";
  readonly code?: string;
  readonly id?: string;
}

describe.skipIf(bin === null)("pledge serve through a PostgreSQL restart and crash", () => {
  let db: OwnPostgres | undefined;
  let server: ChildProcess | undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), "pledge-outage-"));
  afterAll(() => {
    server?.kill("SIGKILL");
    db?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers 503 while the database is gone, recovers by itself, and loses no acknowledged write", async () => {
    db = await createOwnPostgres(bin!);
    await db.start();
    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      PLEDGE_DATA_DIR: dataDir,
      PLEDGE_POLICY: "partstore",
      PLEDGE_BOOTSTRAP_KEY: KEY,
      PORT: "0",
      PLEDGE_HOST: "127.0.0.1",
      LOG_LEVEL: "error",
    };
    for (const args of [["keys", "init"], ["migrate"]]) {
      const r = spawnSync(process.execPath, ["bin/pledge.js", ...args], { cwd: root, env, encoding: "utf8" });
      expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    }
    server = spawn(process.execPath, ["bin/pledge.js", "serve"], {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    server.stdout!.on("data", (c: Buffer) => (output += c.toString()));
    server.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    const url = await until(
      "pledge serve to listen",
      () => /listening on (http:\S+)/.exec(output)?.[1] ?? null,
    );

    // Write load: three writers creating people until told to stop.
    const answers: Answer[] = [];
    let writing = true;
    let n = 0;
    const writer = async () => {
      while (writing) {
        n += 1;
        answers.push(await createPerson(url, n));
      }
    };
    const writers = [writer(), writer(), writer()];
    const acked = () => answers.filter((a) => a.status === 201).length;
    const unavailable = () => answers.filter((a) => a.code === "PLEDGE_STORE_UNAVAILABLE").length;
    const ready = async () => (await fetch(`${url}/readyz`)).status;
    const tally = () => {
      const counts = new Map<string, number>();
      for (const a of answers) {
        const key = `${a.status} ${a.code ?? ""}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return JSON.stringify([...counts]);
    };
    const wait = async (what: string, probe: () => Promise<boolean> | boolean) => {
      try {
        await until(what, probe);
      } catch (error) {
        throw new Error(
          `${(error as Error).message}; answers so far: ${tally()}; server said: ${output.slice(-2000)}`,
        );
      }
    };

    await wait("writes before the outage", () => acked() >= 20);

    for (const outage of [() => db!.stop(), () => db!.kill()]) {
      const refusedBefore = unavailable();
      outage();
      await wait("503s while the database is gone", () => unavailable() >= refusedBefore + 5);
      const notReady = await fetch(`${url}/readyz`);
      expect(notReady.status).toBe(503);
      expect(((await notReady.json()) as { code: string }).code).toBe("PLEDGE_NOT_READY");
      expect(server.exitCode).toBeNull();
      await db.start();
      await wait("ready again", async () => (await ready()) === 200);
      const ackedBefore = acked();
      await wait("writes after the database returned", () => acked() >= ackedBefore + 20);
    }
    writing = false;
    await Promise.all(writers);

    const others = answers.filter((a) => a.status !== 201 && a.code !== "PLEDGE_STORE_UNAVAILABLE");
    expect(others).toEqual([]);
    expect(server.exitCode).toBeNull();

    const ids = answers.filter((a) => a.status === 201).map((a) => a.id!);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        "select count(*) as n from subjects where subject_id = any($1::uuid[])",
        [ids],
      );
      expect(Number(rows[0]!.n)).toBe(ids.length);
    } finally {
      await client.end();
    }

    const exited = new Promise<number | null>((resolve) => server!.once("exit", resolve));
    server.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 240_000);
});

async function createPerson(url: string, n: number): Promise<Answer> {
  try {
    const res = await fetch(`${url}/v1/subjects`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({
        status: "customer",
        purpose: PURPOSE,
        collectionPoint: "web.checkout",
        jurisdiction: "US",
        fields: { first_name: "Ada", email: `outage${n}@example.com` },
      }),
    });
    const body = (await res.json()) as { id?: string; code?: string };
    return {
      status: res.status,
      ...(body.code ? { code: body.code } : {}),
      ...(body.id ? { id: body.id } : {}),
    };
  } catch {
    return { status: "dropped" };
  }
}
