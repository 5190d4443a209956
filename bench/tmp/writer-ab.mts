import { randomBytes } from "node:crypto";
const root = process.argv[2]!;
const { sql } = await import("kysely");
const { createAuditWriter } = await import(`${root}/src/audit/writer.ts`);
const { openStore } = await import(`${root}/src/store/connection.ts`);
const { migrate } = await import(`${root}/src/store/migrate.ts`);
const schema = `ab_${randomBytes(4).toString("hex")}`;
const store = await openStore({ kind: "postgres", url: "postgres://postgres@127.0.0.1:5432/test", schema, poolSize: 4 });
await migrate(store);
const ev = (n: number) => ({ type: "decision", at: new Date(), actor: `api-key:${n % 10}`, subjectId: `subj-${n}`, payload: { outcome: "allow", purpose: "marketing.communications.email", action: "send", recipient: null, clauses: ["PS-05", "PS-07"], policy: { company: "zmailcloud", version: "2026-01" }, fields: ["user.contact.email", "user.name.first"], removed: [] } });
async function rate(n: number) { const w = createAuditWriter(store.db, { maxBatch: 1000 }); const t0 = performance.now(); await Promise.all(Array.from({ length: n }, (_, i) => w.append(ev(i)))); await w.close(); return n / (performance.now() - t0) * 1000; }
await rate(2000);
const r = [await rate(5000), await rate(5000), await rate(5000)].sort((a, b) => a - b)[1]!;
console.log(r.toFixed(0));
await sql`drop schema ${sql.id(schema)} cascade`.execute(store.db); await store.close();
