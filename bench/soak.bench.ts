/**
 * A soak: the staff API's main routes (decisions with inline and stored facts, subjects read and
 * created, consents written; soak/mix.ts) at 70 % of Pledge's measured maximum on that mix, open
 * loop, for BENCH_SOAK_SECONDS (default 600), on PostgreSQL. The real `pledge serve` on core 0,
 * autocannon on core 1. Goals: no failed answer, p99 ≤ 5 ms in every minute, and memory flat:
 * the last third of the samples (every 10 s) no more than 10 % above the second third, by the
 * median of the resident set and by the lowest V8 heap (soak/watch.ts, `growth`).
 *
 * The peer is the Fastify hello-world loaded at the same rate for a minute (less when the soak is
 * shorter); its p99 and failures are measured in the same run.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { KEY, cannon, dropPostgres, freshPostgres, onPostgres, startServer, stop } from "./http.bench.ts";
import { median, printResults, type BenchResult } from "./lib.ts";
import { mix, newSubjectBody, type Chunk } from "./soak/mix.ts";
import {
  growth,
  routeTimes,
  schedTimes,
  scrape,
  watchMemory,
  type MemorySample,
  type Server,
} from "./soak/watch.ts";

const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const PEER_SECONDS = Math.min(60, SECONDS);
const SAMPLE_MS = 10_000;
/** Stored subjects the mix reads, decides about and records consents for. */
const POOL = 500;
const DB = "pledge_bench_soak";

/** Creates the pool through the API, 8 at a time; returns the subjects' ids. */
async function seed(url: string, count: number): Promise<string[]> {
  const run = `seed${randomBytes(3).toString("hex")}`;
  const ids: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const res = await fetch(`${url}/v1/subjects`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
        body: newSubjectBody(run, next++),
      });
      const body = (await res.json()) as { id?: string; code?: string };
      if (res.status !== 201 || body.id === undefined)
        throw new Error(`creating a subject answered ${res.status} ${body.code ?? ""}`);
      ids.push(body.id);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return ids;
}

function failed(c: Chunk): number {
  return c.non2xx + c.errors;
}

function describe(c: Chunk): string {
  const parts = Object.entries(c.failures).map(
    ([request, by]) =>
      `${request}: ${Object.entries(by)
        .map(([what, n]) => `${n}× ${what}`)
        .join(", ")}`,
  );
  if (c.errors > 0) parts.push(`${c.errors} socket errors or timeouts`);
  return parts.join("; ");
}

const mb = (n: number | null | undefined): string => (n == null ? "?" : `${n.toFixed(0)} MB`);

async function soak(hello: { url: string }): Promise<BenchResult[]> {
  if (SECONDS < 30) throw new Error("BENCH_SOAK_SECONDS must be at least 30: memory is sampled every 10 s");
  const dbUrl = await freshPostgres(DB);
  if (dbUrl === null) {
    console.log("soak: no PostgreSQL server answers; skipped");
    return [];
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), "pledge-bench-soak-"));
  const metricsToken = randomBytes(24).toString("hex");
  const started = await startServer(["bin/pledge.js", "serve"], {
    ...onPostgres(dbUrl, dataDir),
    PLEDGE_METRICS_TOKEN: metricsToken,
  });
  try {
    const server: Server = { pid: started.child.pid!, url: started.url, metricsToken };
    const subjects = await seed(server.url, POOL);
    // Every request of the mix must succeed at a low rate before anything is measured.
    const [probe] = await mix(server.url, KEY, { subjects, rate: 50, seconds: 3 });
    if (probe === undefined || failed(probe) > 0)
      throw new Error(`the mix fails at 50 req/s: ${probe ? describe(probe) : "no result"}`);
    await mix(server.url, KEY, { subjects, seconds: 5 });
    const closed: number[] = [];
    for (let i = 0; i < 3; i++) {
      const [r] = await mix(server.url, KEY, { subjects, seconds: 5 });
      if (r === undefined || failed(r) > 0)
        throw new Error(`the mix fails at its maximum: ${r ? describe(r) : "no result"}`);
      closed.push(r.rps);
    }
    const max = median(closed);
    const rate = max * 0.7;
    console.log(
      `soak: the mix's maximum ${max.toFixed(0)} req/s (closed loop, 50 connections, median of 3 × 5 s); ` +
        `soaking at ${rate.toFixed(0)} req/s for ${SECONDS} s`,
    );

    const before = await scrape(server);
    const schedBefore = schedTimes(server.pid);
    const memory = watchMemory(server, SAMPLE_MS);
    const minutes = await mix(server.url, KEY, { subjects, rate, seconds: SECONDS }, (c, i) => {
      const m = memory.latest();
      console.log(
        `soak: minute ${i + 1}: ${c.rps.toFixed(0)} req/s, p50 ${c.p50} ms, p99 ${c.p99} ms, max ${c.max} ms, ` +
          `${failed(c)} failed${failed(c) > 0 ? ` (${describe(c)})` : ""}; RSS ${mb(m?.rssMB)}, heap ${mb(m?.heapMB)}`,
      );
    });
    const samples = memory.stop();
    const schedAfter = schedTimes(server.pid);
    const after = await scrape(server);
    if (schedBefore !== null && schedAfter !== null) {
      const onCpu = schedAfter.onCpu - schedBefore.onCpu;
      const answered = minutes.reduce((n, c) => n + c.answered, 0);
      console.log(
        `soak: the server's main thread was on its core ${onCpu.toFixed(1)} s of ${SECONDS} s ` +
          `(${((100 * onCpu) / SECONDS).toFixed(0)} %), ${((1000 * onCpu) / answered).toFixed(2)} ms an answer, ` +
          `and waited ${(schedAfter.waiting - schedBefore.waiting).toFixed(1)} s for it while other work ran`,
      );
    }
    console.log(
      `soak: memory every ${SAMPLE_MS / 1000} s (RSS/heap MB): ` +
        samples.map((m) => `${m.rssMB.toFixed(0)}/${m.heapMB?.toFixed(0) ?? "?"}`).join(" "),
    );
    for (const r of routeTimes(before, after)) {
      console.log(
        `soak: in the server, ${r.route}: ${r.answered} answered, mean ${r.meanMs.toFixed(2)} ms, ` +
          `${r.over5ms.toFixed(2)} % over 5 ms`,
      );
    }
    const peer = await cannon(hello.url, { rate, seconds: PEER_SECONDS });
    return results(minutes, samples, peer);
  } finally {
    await stop(started.child);
    await dropPostgres(DB);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function results(
  minutes: readonly Chunk[],
  samples: readonly MemorySample[],
  peer: Awaited<ReturnType<typeof cannon>>,
): BenchResult[] {
  // The p99 of the whole soak is at most its worst minute's.
  const p99 = Math.max(...minutes.map((c) => c.p99));
  const failures = minutes.reduce((n, c) => n + failed(c), 0);
  const attempts = minutes.reduce((n, c) => n + c.answered + c.errors, 0);
  const peerFailures = peer.non2xx + peer.errors;
  const peerAttempts = peer.requests.total + peer.errors;
  const failedShare = (100 * failures) / attempts;
  const peerFailedShare = (100 * peerFailures) / peerAttempts;
  const out: BenchResult[] = [
    {
      name: `API mix p99, worst minute of ${SECONDS} s at 70 % (PostgreSQL)`,
      value: p99,
      unit: "ms",
      peer: `hello-world p99, same rate, ${PEER_SECONDS} s`,
      peerValue: peer.latency.p99,
      ratio: peer.latency.p99 / Math.max(p99, 0.001),
      goal: "p99 ≤ 5 ms",
      pass: p99 <= 5,
    },
    {
      name: `API mix answers failed, ${failures} of ${attempts}`,
      value: failedShare,
      unit: "%",
      peer: `hello-world, same rate, ${peerFailures} failed`,
      peerValue: peerFailedShare,
      ratio: (100 - failedShare) / (100 - peerFailedShare),
      goal: "0 errors",
      pass: failures === 0,
    },
  ];
  const lowest = (xs: readonly number[]): number => Math.min(...xs);
  const series: [string, (s: MemorySample) => number | null, (xs: readonly number[]) => number][] = [
    ["server RSS, median", (s) => s.rssMB, median],
    ["V8 heap used, lowest", (s) => s.heapMB, lowest],
  ];
  for (const [what, of, level] of series) {
    const values = samples.map(of).filter((v): v is number => v !== null && Number.isFinite(v));
    const g = growth(values, level);
    console.log(
      `soak: ${what}, ${values.length} samples: second third ${mb(g.second)}, last third ${mb(g.last)}, ` +
        `${g.last >= g.second ? "+" : ""}${(g.last - g.second).toFixed(1)} MB (${g.percent.toFixed(1)} %)`,
    );
    out.push({
      name: `${what}, last third of the soak`,
      value: g.last,
      unit: "MB",
      peer: "the same server, second third",
      peerValue: g.second,
      ratio: g.second / g.last,
      goal: "≤ 10 % growth",
      pass: g.percent <= 10,
    });
  }
  return out;
}

export async function run(): Promise<BenchResult[]> {
  const hello = await startServer(["--import", "tsx", "bench/servers/hello.ts"], { PORT: "0" });
  try {
    return await soak(hello);
  } finally {
    await stop(hello.child);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  printResults(await run());
}
