/**
 * Shared pieces of the benchmarks. Every benchmark measures Pledge and a peer in the same run and
 * reports the ratio, because the machine is shared and absolute times drift.
 */
export interface BenchResult {
  /** What was measured, e.g. "gate decision (20-rule pack)". */
  name: string;
  value: number;
  unit: string;
  /** The peer measured in the same run. */
  peer: string;
  peerValue: number;
  /** Pledge relative to the peer, oriented so that higher is better for Pledge. */
  ratio: number;
  /** The budget, in words, e.g. "≥ 100× casbin". */
  goal: string;
  pass: boolean;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** Runs `fn` and returns the elapsed wall time in milliseconds. */
export async function timeIt(fn: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function formatResult(r: BenchResult): string {
  const fmt = (n: number): string => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3));
  return [
    r.pass ? "PASS" : "MISS",
    r.name.padEnd(52),
    `${fmt(r.value)} ${r.unit}`.padEnd(20),
    `vs ${r.peer}: ${fmt(r.peerValue)} ${r.unit}`.padEnd(44),
    `ratio ${r.ratio.toFixed(2)}`.padEnd(13),
    `goal ${r.goal}`,
  ].join("  ");
}

/** Prints results when a benchmark file is run on its own. */
export function printResults(results: readonly BenchResult[]): void {
  for (const r of results) console.log(formatResult(r));
}
