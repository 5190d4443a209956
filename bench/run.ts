/**
 * `npm run bench`: every budget of DESIGN.md that exists so far, each measured against its peer in
 * this same run. `npm run bench -- gate http` runs only the named benchmarks.
 */
import os from "node:os";
import { formatResult, type BenchResult } from "./lib.ts";

const BENCHES: Record<string, () => Promise<{ run(): Promise<BenchResult[]> }>> = {
  gate: () => import("./gate.bench.ts"),
  audit: () => import("./audit.bench.ts"),
  http: () => import("./http.bench.ts"),
  subjects: () => import("./subjects.bench.ts"),
  crypto: () => import("./crypto.bench.ts"),
  audience: () => import("./audience.bench.ts"),
  export: () => import("./export.bench.ts"),
  smtp: () => import("./smtp.bench.ts"),
  requests: () => import("./requests.bench.ts"),
  "drp-intake": () => import("./drp-intake.bench.ts"),
  "audit-verify": () => import("./audit-verify.bench.ts"),
  "audit-cluster": () => import("./audit-cluster.bench.ts"),
  web: () => import("./web.bench.ts"),
  analytics: () => import("./analytics.bench.ts"),
  retention: () => import("./retention.bench.ts"),
  soak: () => import("./soak.bench.ts"),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const names = wanted.length ? wanted : Object.keys(BENCHES);
console.log(
  `node ${process.version}, ${os.cpus().length} cores, load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
let missed = 0;
for (const name of names) {
  const load = BENCHES[name];
  if (!load) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHES).join(", ")}`);
    process.exit(2);
  }
  console.log(`\n# ${name}`);
  const results = await (await load()).run();
  for (const r of results) {
    console.log(formatResult(r));
    if (!r.pass) missed += 1;
  }
}
console.log(`\n${missed === 0 ? "every goal met" : `${missed} goal(s) missed`}`);
