/**
 * POST /v1/decisions over HTTP against a Fastify hello-world, each in its own process on core 0,
 * loaded by autocannon on core 1. Goals: ≥ 0.5× the hello-world's requests/s, and p99 ≤ 5 ms at
 * 70 % of Pledge's measured maximum (open loop, fixed rate).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { median, printResults, type BenchResult } from "./lib.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 3);
/** The bootstrap admin key the benchmarks start `pledge serve` with. */
export const KEY = "pk_bench_" + "b".repeat(43);

export const decisionBody = JSON.stringify({
  use: {
    action: "send",
    purpose: process.env.BENCH_PURPOSE ?? "marketing.communications",
    fields: ["email", "first_name"],
    channel: "email",
    messageClass: "marketing",
  },
  facts: {
    subject: {
      status: "customer",
      age: 40,
      jurisdiction: "US",
      consents: {},
      optOuts: [],
      suppressed: [],
      permissions: [],
    },
  },
});

/** The command that runs `args` on one core (taskset), or unpinned off Linux. */
export function pinned(cpu: number, args: string[]): [string, string[]] {
  return process.platform === "linux" ? ["taskset", ["-c", String(cpu), ...args]] : [args[0]!, args.slice(1)];
}

export async function startServer(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; url: string }> {
  const [cmd, argv] = pinned(0, [process.execPath, ...args]);
  const child = spawn(cmd, argv, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = "";
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (m?.[1]) resolve(m[1]);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`server exited early (${code}): ${seen.slice(-500)}`)));
    setTimeout(() => reject(new Error(`server did not start: ${seen.slice(-500)}`)), 60_000).unref();
  });
  return { child, url };
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p99: number; p50: number };
  non2xx: number;
  errors: number;
}

export async function cannon(
  url: string,
  opts: { body?: string; rate?: number; seconds?: number },
): Promise<CannonResult> {
  const args = [
    path.join(root, "node_modules/autocannon/autocannon.js"),
    "--json",
    "-c",
    // A fixed rate over many connections makes autocannon send in bursts (a hello-world shows a
    // p99 of 100 ms at 4k req/s over 50 connections); the latency run uses a few connections.
    opts.rate ? "8" : "50",
    "-d",
    String(opts.seconds ?? SECONDS),
  ];
  if (opts.body) {
    args.push(
      "-m",
      "POST",
      "-H",
      "content-type=application/json",
      "-H",
      `authorization=Bearer ${KEY}`,
      "-b",
      opts.body,
    );
  }
  if (opts.rate) args.push("--overallRate", String(Math.round(opts.rate)));
  args.push(url);
  const [cmd, argv] = pinned(1, [process.execPath, ...args]);
  const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "ignore"] });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  await new Promise((r) => child.once("exit", r));
  return JSON.parse(out) as CannonResult;
}

const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const PG_BENCH_DB = "pledge_bench_http";

/** A fresh database on the local PostgreSQL server, migrated; null when no server answers. */
export async function freshPostgres(name: string = PG_BENCH_DB): Promise<string | null> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  try {
    await admin.connect();
  } catch {
    return null;
  }
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const migrate = spawn(process.execPath, ["bin/pledge.js", "migrate"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url.toString() },
    stdio: "ignore",
  });
  const code = await new Promise((r) => migrate.once("exit", r));
  if (code !== 0) throw new Error(`pledge migrate on ${name} exited ${String(code)}`);
  return url.toString();
}

export async function dropPostgres(name: string = PG_BENCH_DB): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

/** Measures one Pledge server (already started) against the hello-world, interleaved. */
async function measure(store: string, pledgeUrl: string, helloUrl: string): Promise<BenchResult[]> {
  const decisionsUrl = `${pledgeUrl}/v1/decisions`;
  const check = await fetch(decisionsUrl, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
    body: decisionBody,
  });
  if (check.status !== 200)
    throw new Error(`decision request answered ${check.status}: ${await check.text()}`);
  await cannon(helloUrl, { seconds: 2 });
  await cannon(decisionsUrl, { body: decisionBody, seconds: 2 });
  const helloRps: number[] = [];
  const pledgeRps: number[] = [];
  let failures = 0;
  for (let i = 0; i < ROUNDS; i++) {
    helloRps.push((await cannon(helloUrl, {})).requests.average);
    const r = await cannon(decisionsUrl, { body: decisionBody });
    failures += r.non2xx + r.errors;
    pledgeRps.push(r.requests.average);
  }
  const max = median(pledgeRps);
  const atLoad = await cannon(decisionsUrl, { body: decisionBody, rate: max * 0.7 });
  const loadHello = await cannon(helloUrl, { rate: max * 0.7 });
  const helloMedian = median(helloRps);
  if (failures > 0) throw new Error(`${failures} decision requests failed during the benchmark`);
  return [
    {
      name: `POST /v1/decisions req/s (${store}, durable audit)`,
      value: max,
      unit: "req/s",
      peer: "fastify hello-world",
      peerValue: helloMedian,
      ratio: max / helloMedian,
      goal: "≥ 0.5× hello-world",
      pass: max / helloMedian >= 0.5,
    },
    {
      name: `POST /v1/decisions p99 at 70 % load (${store})`,
      value: atLoad.latency.p99,
      unit: "ms",
      peer: "hello-world p99, same rate",
      peerValue: loadHello.latency.p99,
      ratio: loadHello.latency.p99 / Math.max(atLoad.latency.p99, 0.001),
      goal: "p99 ≤ 5 ms",
      pass: atLoad.latency.p99 <= 5,
    },
  ];
}

export const serverEnv = {
  PORT: "0",
  PLEDGE_HOST: "127.0.0.1",
  PLEDGE_POLICY: "partstore",
  PLEDGE_BOOTSTRAP_KEY: KEY,
  LOG_LEVEL: "warn",
};

/** `pledge serve`'s environment on a PostgreSQL database, its data directory at `dataDir`. */
export function onPostgres(url: string, dataDir: string): NodeJS.ProcessEnv {
  return {
    ...serverEnv,
    PLEDGE_DATA_DIR: dataDir,
    DATABASE_URL: url,
    // Servers on PostgreSQL share keys given to them; they never create key files.
    PLEDGE_MASTER_KEY: randomBytes(32).toString("base64"),
    PLEDGE_INDEX_KEY: randomBytes(32).toString("base64"),
  };
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const hello = await startServer(["--import", "tsx", "bench/servers/hello.ts"], { PORT: "0" });
  try {
    // Embedded store: PGlite in a data directory, in the server's own process.
    const dataDir = mkdtempSync(path.join(tmpdir(), "pledge-bench-http-"));
    const embedded = await startServer(["bin/pledge.js", "serve"], {
      ...serverEnv,
      PLEDGE_DATA_DIR: dataDir,
      DATABASE_URL: "",
    });
    try {
      results.push(...(await measure("PGlite", embedded.url, hello.url)));
    } finally {
      await stop(embedded.child);
      rmSync(dataDir, { recursive: true, force: true });
    }
    // Server store: PostgreSQL on this machine, when one answers.
    const url = await freshPostgres();
    if (url !== null) {
      const server = await startServer(
        ["bin/pledge.js", "serve"],
        onPostgres(url, mkdtempSync(path.join(tmpdir(), "pledge-bench-http-pg-"))),
      );
      try {
        results.push(...(await measure("PostgreSQL", server.url, hello.url)));
      } finally {
        await stop(server.child);
        await dropPostgres();
      }
    }
  } finally {
    await stop(hello.child);
  }
  return results;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  printResults(await run());
}
