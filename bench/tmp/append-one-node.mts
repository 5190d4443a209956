// Audited appends on one node: T transactions, C at a time, each appending one event about a new
// person; prints appends/s. Run from a checkout: node --import tsx <this> <checkout> pglite|pg
import { randomBytes, randomUUID } from "node:crypto";
const [root, kind] = [process.argv[2]!, process.argv[3]!];
const { openStore } = await import(`${root}/src/store/connection.ts`);
const { migrate } = await import(`${root}/src/store/migrate.ts`);
const { appendAudit } = await import(`${root}/src/audit/append.ts`);
const { sql } = await import("kysely");
const T = Number(process.env.T ?? 3000), C = Number(process.env.C ?? 8);
const schema = `bench_one_${randomBytes(5).toString("hex")}`;
const store = kind === "pg"
  ? await openStore({ kind: "postgres", url: "postgres://postgres@127.0.0.1:5432/test", schema, poolSize: C })
  : await openStore({ kind: "pglite", dataDir: null });
await migrate(store);
const ev = () => ({ type: "decision", at: new Date(), actor: "staff:b", subjectId: randomUUID(),
  payload: { outcome: "allow", purpose: "p", action: "read", recipient: null, clauses: ["PS-05"], policy: { company: "z", version: "1" }, fields: ["email"], removed: [] } });
async function once(n: number) { let next = 0; const t0 = performance.now();
  await Promise.all(Array.from({ length: C }, async () => { while (next < n) { next++; await store.db.transaction().execute((trx: any) => appendAudit(trx, [ev()])); } }));
  return n / (performance.now() - t0) * 1000; }
await once(300);
console.log((await once(T)).toFixed(0));
if (kind === "pg") await sql`drop schema ${sql.id(schema)} cascade`.execute(store.db);
await store.close();
