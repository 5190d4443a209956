/**
 * What the soak watches on the server while it runs: its memory every few seconds (resident set
 * from /proc, V8's used heap from its Prometheus metrics) and, from two scrapes, the time the
 * server spent on each route in between. Read from outside the process: the server runs as it
 * would in production, with PLEDGE_METRICS_TOKEN set.
 */
import { readFileSync } from "node:fs";

export interface MemorySample {
  /** Seconds since watching began. */
  readonly at: number;
  readonly rssMB: number;
  /** null when the scrape failed. */
  readonly heapMB: number | null;
}

export interface Server {
  readonly pid: number;
  readonly url: string;
  readonly metricsToken: string;
}

const MB = 1024 * 1024;

export async function scrape(server: Server): Promise<string> {
  const res = await fetch(`${server.url}/metrics`, {
    headers: { authorization: `Bearer ${server.metricsToken}` },
  });
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
  return res.text();
}

function metric(text: string, name: string): number | null {
  const m = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
  return m?.[1] === undefined ? null : Number(m[1]);
}

/** The resident set of `pid` (VmRSS), in MB; off Linux, from the process's own metric. */
function rss(pid: number, metrics: string | null): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    if (m?.[1] !== undefined) return Number(m[1]) / 1024;
  } catch {
    // no /proc: fall through
  }
  const bytes = metrics === null ? null : metric(metrics, "process_resident_memory_bytes");
  return bytes === null ? Number.NaN : bytes / MB;
}

/** Samples the server's memory every `everyMs` until `stop()`, which returns the samples. */
export function watchMemory(
  server: Server,
  everyMs: number,
): { latest(): MemorySample | undefined; stop(): MemorySample[] } {
  const started = Date.now();
  const samples: MemorySample[] = [];
  const timer = setInterval(() => {
    void scrape(server)
      .catch(() => null)
      .then((text) => {
        const heap = text === null ? null : metric(text, "nodejs_heap_size_used_bytes");
        samples.push({
          at: Math.round((Date.now() - started) / 1000),
          rssMB: rss(server.pid, text),
          heapMB: heap === null ? null : heap / MB,
        });
      });
  }, everyMs);
  return {
    latest: () => samples.at(-1),
    stop() {
      clearInterval(timer);
      return [...samples];
    },
  };
}

/**
 * Growth of memory over a run: a third of the samples against the one before it, the first third
 * left out as warm-up (code compiled, pools and the allocator's arenas reaching their working
 * size). `level` says what a third's level is: the median for the resident set, which moves
 * slowly; the lowest sample for the heap, whose used size saws up and down with every collection
 * and whose floor, what a collection leaves, is what a leak raises.
 */
export function growth(
  values: readonly number[],
  level: (third: readonly number[]) => number,
): { second: number; last: number; percent: number } {
  const n = values.length;
  const second = level(values.slice(Math.floor(n / 3), Math.floor((2 * n) / 3)));
  const last = level(values.slice(Math.floor((2 * n) / 3)));
  return { second, last, percent: ((last - second) / second) * 100 };
}

/**
 * Seconds the server's main thread spent on a core and waiting for one
 * (/proc/<pid>/schedstat): the wait is time other work on the machine took from it. null off
 * Linux.
 */
export function schedTimes(pid: number): { onCpu: number; waiting: number } | null {
  try {
    const [onCpu, waiting] = readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ").map(Number);
    return onCpu === undefined || waiting === undefined
      ? null
      : { onCpu: onCpu / 1e9, waiting: waiting / 1e9 };
  } catch {
    return null;
  }
}

export interface RouteTime {
  readonly route: string;
  readonly answered: number;
  readonly meanMs: number;
  /** Share of the answers that took more than 5 ms in the server, in %. */
  readonly over5ms: number;
}

/** Time in the server by route between two scrapes (pledge_http_request_duration_seconds). */
export function routeTimes(before: string, after: string): RouteTime[] {
  const a = durations(before);
  const b = durations(after);
  const out: RouteTime[] = [];
  for (const [route, end] of b) {
    const start = a.get(route) ?? { count: 0, sum: 0, within5ms: 0 };
    const answered = end.count - start.count;
    if (answered <= 0) continue;
    out.push({
      route,
      answered,
      meanMs: ((end.sum - start.sum) / answered) * 1000,
      over5ms: (1 - (end.within5ms - start.within5ms) / answered) * 100,
    });
  }
  return out.sort((x, y) => y.answered - x.answered);
}

function durations(text: string): Map<string, { count: number; sum: number; within5ms: number }> {
  const routes = new Map<string, { count: number; sum: number; within5ms: number }>();
  const line = /^pledge_http_request_duration_seconds_(bucket|sum|count)\{([^}]*)\} (\S+)$/gm;
  for (const m of text.matchAll(line)) {
    const labels = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    const route = `${labels.method} ${labels.route}`;
    const r = routes.get(route) ?? { count: 0, sum: 0, within5ms: 0 };
    const value = Number(m[3]);
    if (m[1] === "count") r.count = value;
    else if (m[1] === "sum") r.sum = value;
    else if (labels.le === "0.005") r.within5ms = value;
    routes.set(route, r);
  }
  return routes;
}
