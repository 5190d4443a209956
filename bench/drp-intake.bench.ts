/**
 * DRP intake: `POST /v1/data-rights-request` in process (`app.inject`) — bearer token lookup,
 * base64 and Ed25519 verification of the envelope, the claims' rules, the replay guard and the
 * record of the agent's request — against its peer in the same run: node:crypto verifying the
 * same envelope and one INSERT into the same store. The rights-request service behind the route
 * is a stub that does no I/O, so the figure is the protocol's own cost. PGlite in memory.
 * Goal: ≥ 0.5× the peer. Pledge and the peer alternate in rounds; the ratio is the median of
 * adjacent rounds' ratios.
 */
import { generateKeyPairSync, randomBytes, randomUUID, sign, verify } from "node:crypto";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { sql } from "kysely";
import { createAuditWriter } from "../src/audit/writer.ts";
import { loadConfig } from "../src/config.ts";
import { createApp } from "../src/http/app.ts";
import { registerAgent, setUpToken } from "../src/modules/drp/agents.service.ts";
import type { AgentRequests } from "../src/modules/drp/drp.port.ts";
import type { RequestView } from "../src/modules/requests/requests.ts";
import { loadPolicyHistory } from "../src/policy/history.ts";
import { openStore } from "../src/store/connection.ts";
import type { Store } from "../src/store/store.ts";
import { migrate } from "../src/store/migrate.ts";
import { median, printResults, type BenchResult } from "./lib.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ROUNDS = Number(process.env.BENCH_DRP_ROUNDS ?? 31);
const PER_ROUND = Number(process.env.BENCH_DRP_PER_ROUND ?? 50);
const BUSINESS = "bench-business";
const AGENT = "BENCH_AGENT";

/** A request service that takes every request at once and keeps nothing. */
function stubRequests(): AgentRequests {
  const at = new Date().toISOString();
  return {
    submit: (_trx, agentId, input) =>
      Promise.resolve(viewOf(randomUUID(), agentId, input.agent?.requestId ?? null, at)),
    status: () => Promise.resolve(null),
    revoke: () => Promise.resolve(null),
    received: () => undefined,
    changed: () => undefined,
    cipherOf: () => Promise.resolve(null),
    onChange: () => undefined,
  };
}

function viewOf(id: string, agentId: string, agentRequestId: string | null, at: string): RequestView {
  return {
    id,
    kind: "opt_out_sale",
    state: "received",
    intake: "agent",
    subjectId: null,
    jurisdiction: "US-CA",
    law: "ccpa",
    queue: "privacy",
    receivedAt: at,
    due: at,
    dueDate: at.slice(0, 10),
    acknowledgeBy: null,
    overdue: false,
    daysLeft: 15,
    extended: false,
    denialReason: null,
    assignee: null,
    paused: false,
    extensionReason: null,
    agentId,
    agentRequestId,
    closedAt: null,
    version: 1,
  };
}

const PG_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** PGlite in memory, and PostgreSQL in a throwaway schema when a server answers. */
export async function run(): Promise<BenchResult[]> {
  const results = await measure("PGlite", await openStore({ kind: "pglite", dataDir: null }));
  const schema = `bench_drp_${randomBytes(6).toString("hex")}`;
  let pg: Store | null = null;
  try {
    pg = await openStore({ kind: "postgres", url: PG_URL, schema, poolSize: 4 });
  } catch {
    console.log(`PostgreSQL at ${PG_URL} does not answer: measured on PGlite only`);
  }
  if (pg !== null) {
    const opened = pg;
    results.push(
      ...(await measure("PostgreSQL", opened, async () => {
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(opened.db);
      })),
    );
  }
  return results;
}

async function measure(
  label: string,
  store: Store,
  dropSchema?: () => Promise<void>,
): Promise<BenchResult[]> {
  await migrate(store);
  await sql`create table bench_envelopes (digest text primary key, agent_id text not null, body text not null)`.execute(
    store.db,
  );
  const audit = createAuditWriter(store.db);
  const app = await createApp({
    config: loadConfig({
      LOG_LEVEL: "silent",
      PLEDGE_DRP_BUSINESS_ID: BUSINESS,
      PLEDGE_POLICIES_DIR: path.join(root, "policies"),
    }),
    store,
    policies: await loadPolicyHistory(path.join(root, "policies/partstore")),
    audit,
    clock: () => new Date(),
    agentRequests: stubRequests(),
  });
  await app.ready();
  try {
    const keys = generateKeyPairSync("ed25519");
    const raw = Buffer.from(keys.publicKey.export({ format: "jwk" }).x!, "base64url");
    await registerAgent(
      store.db,
      { id: AGENT, name: "bench", verifyKey: raw.toString("base64") },
      { actor: "system", now: new Date() },
    );
    let n = 0;
    const envelope = (): string => {
      const now = new Date();
      const claims = {
        "agent-id": AGENT,
        "business-id": BUSINESS,
        "issued-at": now.toISOString(),
        "expires-at": new Date(now.getTime() + 600_000).toISOString(),
        "drp.version": "1.0",
        "agent-request-id": `bench-${(n += 1)}`,
        exercise: "sale:opt-out",
        regime: "ccpa",
        name: "Lovelace, Ada",
        email: "ada@example.com",
      };
      const message = Buffer.from(JSON.stringify(claims));
      return Buffer.concat([sign(null, message, keys.privateKey), message]).toString("base64");
    };
    const setup = Buffer.from(
      JSON.stringify({
        "agent-id": AGENT,
        "business-id": BUSINESS,
        "issued-at": new Date().toISOString(),
        "expires-at": new Date(Date.now() + 600_000).toISOString(),
        "drp.version": "1.0",
      }),
    );
    const token = await setUpToken(store.db, {
      agentId: AGENT,
      body: Buffer.concat([sign(null, setup, keys.privateKey), setup]).toString("base64"),
      businessId: BUSINESS,
      now: new Date(),
    });
    if (token === null) throw new Error("key set-up failed");

    const pledgeRound = async (bodies: string[]): Promise<number> => {
      const start = process.hrtime.bigint();
      for (const body of bodies) {
        const res = await app.inject({
          method: "POST",
          url: "/v1/data-rights-request",
          headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
          payload: body,
        });
        if (res.statusCode !== 200) throw new Error(`intake answered ${res.statusCode}: ${res.body}`);
      }
      return bodies.length / (Number(process.hrtime.bigint() - start) / 1e9);
    };
    const peerRound = async (bodies: string[]): Promise<number> => {
      const start = process.hrtime.bigint();
      for (const body of bodies) {
        const bytes = Buffer.from(body, "base64");
        const message = bytes.subarray(64);
        if (!verify(null, message, keys.publicKey, bytes.subarray(0, 64)))
          throw new Error("peer: bad signature");
        const claims = JSON.parse(message.toString("utf8")) as Record<string, string>;
        await sql`insert into bench_envelopes (digest, agent_id, body) values (${randomUUID()}, ${claims["agent-id"]}, ${body})`.execute(
          store.db,
        );
      }
      return bodies.length / (Number(process.hrtime.bigint() - start) / 1e9);
    };
    const batch = () => Array.from({ length: PER_ROUND }, envelope);

    for (let w = 0; w < 3; w += 1) {
      await pledgeRound(batch()); // warm up both before measuring
      await peerRound(batch());
    }
    const pledge: number[] = [];
    const peer: number[] = [];
    for (let r = 0; r < ROUNDS; r += 1) {
      const [a, b] = [batch(), batch()];
      if (r % 2 === 0) {
        pledge.push(await pledgeRound(a));
        peer.push(await peerRound(b));
      } else {
        peer.push(await peerRound(b));
        pledge.push(await pledgeRound(a));
      }
    }
    const ratio = median(pledge.map((p, r) => p / peer[r]!));
    return [
      {
        name: `DRP intake (POST /v1/data-rights-request, ${label})`,
        value: median(pledge),
        unit: "req/s",
        peer: "node:crypto verify + 1 INSERT",
        peerValue: median(peer),
        ratio,
        goal: "≥ 0.5× peer",
        pass: ratio >= 0.5,
      },
    ];
  } finally {
    await app.close();
    await audit.close();
    await dropSchema?.();
    await store.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) printResults(await run());
