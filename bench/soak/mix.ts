/**
 * The soak's load: autocannon, run programmatically, over a mix of the staff API's main routes.
 * soak.bench.ts runs this file in a process of its own pinned to core 1 (`mix()` below), the
 * server being on core 0. Each connection loops over the same ten requests:
 *
 * - 3 × POST /v1/decisions with the subject's facts inline (http.bench's body);
 * - 2 × POST /v1/decisions about a stored subject (`subjectId`);
 * - 2 × GET /v1/subjects/:id, the record read for order fulfilment;
 * - 2 × POST /v1/subjects/:id/consents, marketing email granted or withdrawn;
 * - 1 × POST /v1/subjects, a new customer (each with an email of its own, as the API demands).
 *
 * Stored subjects are drawn at random from the pool the bench seeded. The run is cut into chunks
 * (a minute by default), each its own autocannon run on fresh connections, and one JSON line is
 * printed per chunk: the soak shows its latency minute by minute. Failed answers are counted by
 * request and by status and problem code; no body of an answer is ever printed.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { decisionBody, pinned } from "../http.bench.ts";

export interface MixOptions {
  readonly subjects: readonly string[];
  /** Requests per second over all connections; absent: as fast as the server answers (closed loop). */
  readonly rate?: number;
  readonly seconds: number;
  readonly chunkSeconds?: number;
}

/** What one chunk of a run measured; latencies in ms. */
export interface Chunk {
  readonly seconds: number;
  readonly answered: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Answers other than 2xx. */
  readonly non2xx: number;
  /** Socket errors and timeouts. */
  readonly errors: number;
  /** Failed answers by request, e.g. `{ "read subject": { "404 PLEDGE_NOT_FOUND": 3 } }`. */
  readonly failures: Record<string, Record<string, number>>;
}

const here = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(here), "../..");

/** A new customer; `n` makes the email unique, as the API demands. */
export function newSubjectBody(run: string, n: number): string {
  return JSON.stringify({
    status: "customer",
    purpose: "essential.service.order_fulfilment",
    collectionPoint: "bench.soak",
    birthDate: "1980-01-01",
    jurisdiction: "US",
    fields: { first_name: "Soak", last_name: `Customer${n}`, email: `soak-${run}-${n}@example.test` },
  });
}

/** Runs the mix against `url` in a process pinned to core 1; `onChunk` sees each chunk as it ends. */
export async function mix(
  url: string,
  key: string,
  opts: MixOptions,
  onChunk: (c: Chunk, index: number) => void = () => {},
): Promise<Chunk[]> {
  const [cmd, argv] = pinned(1, [process.execPath, "--import", "tsx", here]);
  const child = spawn(cmd, argv, { cwd: root, stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<number | null>((r) => child.once("exit", r));
  // The options travel on stdin: the pool of ids is too long for a comfortable command line.
  child.stdin!.end(JSON.stringify({ url, key, ...opts }));
  const chunks: Chunk[] = [];
  for await (const line of createInterface({ input: child.stdout! })) {
    const chunk = JSON.parse(line) as Chunk;
    onChunk(chunk, chunks.length);
    chunks.push(chunk);
  }
  const code = await exited;
  if (code !== 0) throw new Error(`the load generator exited ${String(code)}`);
  return chunks;
}

type Request = autocannon.Request;
type Count = (name: string, status: number, body: string) => void;

/** The loop of ten requests each connection makes, in order. */
function requests(key: string, subjects: readonly string[], count: Count): Request[] {
  const run = randomBytes(4).toString("hex");
  let created = 0;
  let consents = 0;
  const anyone = (): string => subjects[Math.floor(Math.random() * subjects.length)]!;
  const call = (name: string, to: () => string, body?: () => string): Request => ({
    method: body ? "POST" : "GET",
    headers: {
      authorization: `Bearer ${key}`,
      ...(body ? { "content-type": "application/json" } : {}),
    },
    setupRequest: (req) => ({ ...req, path: to(), ...(body ? { body: body() } : {}) }),
    onResponse: (status, answer) => count(name, status, answer),
  });
  const inline = call(
    "decision, facts inline",
    () => "/v1/decisions",
    () => decisionBody,
  );
  const stored = call(
    "decision, stored subject",
    () => "/v1/decisions",
    () =>
      JSON.stringify({
        use: {
          action: "send",
          purpose: "marketing.communications",
          fields: ["email"],
          channel: "email",
          messageClass: "marketing",
        },
        subjectId: anyone(),
      }),
  );
  const read = call(
    "read subject",
    () => `/v1/subjects/${anyone()}?purpose=essential.service.order_fulfilment`,
  );
  const consent = call(
    "consent",
    () => `/v1/subjects/${anyone()}/consents`,
    () =>
      JSON.stringify({
        purpose: "marketing.communications",
        targetKind: "purpose",
        target: "marketing.communications",
        channel: "email",
        action: ++consents % 2 === 0 ? "withdrawn" : "granted",
        source: "staff",
      }),
  );
  const create = call(
    "create subject",
    () => "/v1/subjects",
    () => newSubjectBody(run, ++created),
  );
  return [inline, read, stored, consent, inline, create, stored, read, inline, consent];
}

async function main(): Promise<void> {
  let input = "";
  for await (const c of process.stdin) input += String(c);
  const opts = JSON.parse(input) as MixOptions & { url: string; key: string };
  let failures: Record<string, Record<string, number>> = {};
  const count = (name: string, status: number, body: string): void => {
    if (status >= 200 && status < 300) return;
    let code = "";
    try {
      code = String((JSON.parse(body) as { code?: unknown }).code ?? "");
    } catch {
      // not a problem document: the status says enough
    }
    const byStatus = (failures[name] ??= {});
    const what = `${status} ${code}`.trim();
    byStatus[what] = (byStatus[what] ?? 0) + 1;
  };
  const list = requests(opts.key, opts.subjects, count);
  const chunk = opts.chunkSeconds ?? 60;
  for (let done = 0; done < opts.seconds; done += chunk) {
    const seconds = Math.min(chunk, opts.seconds - done);
    failures = {};
    const r = await autocannon({
      url: opts.url,
      // A fixed rate over many connections makes autocannon send in bursts (http.bench.ts).
      connections: opts.rate ? 8 : 50,
      duration: seconds,
      requests: list,
      ...(opts.rate ? { overallRate: Math.round(opts.rate) } : {}),
    });
    const out: Chunk = {
      seconds,
      answered: r.requests.total,
      rps: r.requests.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      max: r.latency.max,
      non2xx: r.non2xx,
      errors: r.errors,
      failures,
    };
    process.stdout.write(JSON.stringify(out) + "\n");
  }
}

if (process.argv[1] && here === path.resolve(process.argv[1])) await main();
