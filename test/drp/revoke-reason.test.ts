import { Writable } from "node:stream";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/http/logger.ts";
import { revokeReasonField } from "../../src/modules/drp/exercise.service.ts";
import { ephemeralVault } from "../../src/modules/subjects/ephemeral-vault.ts";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { exerciseClaims, makeAgent, setupClaims, type TestAgent } from "./agent.ts";

/**
 * DRP 2.04's `reason` over Pledge's own request service, through the HTTP routes: the person's
 * words are kept sealed under the request's data key, and appear nowhere else — not in the
 * status answered or read (DRP 1.0 gives them no field: `revoked` adds none, §3.02), not in the
 * audit log (which says a reason was given), not in what is logged at trace level.
 */
const BUSINESS = "zones-drp-reason";
const REASON = "Ottoline moved her account to the Harrowgate branch";
const vault = ephemeralVault();
let t: TestApp;
let admin: string;
let agent: TestAgent;
let token: string;
let logged = "";
let n = 0;

const send = (
  method: "POST" | "DELETE" | "GET",
  url: string,
  body?: string,
): Promise<LightMyRequestResponse> =>
  t.app.inject({
    method,
    url,
    headers: { "content-type": "text/plain", authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { payload: body }),
  });

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logged += chunk.toString();
      done();
    },
  });
  t = await buildTestApp({
    company: "zones",
    env: { PLEDGE_DRP_BUSINESS_ID: BUSINESS },
    logger: createLogger("trace", sink),
    vault,
  });
  admin = await t.apiKey("admin");
  agent = await makeAgent("REASON_AGENT");
  const reg = await t.app.inject({
    method: "POST",
    url: "/v1/drp/agents",
    headers: { authorization: `Bearer ${admin}` },
    payload: { id: agent.id, name: "Reason agent", verifyKey: agent.verifyKey },
  });
  expect(reg.statusCode).toBe(201);
  token = (
    (
      await t.app.inject({
        method: "POST",
        url: `/v1/agent/${agent.id}`,
        headers: { "content-type": "text/plain" },
        payload: agent.sign(setupClaims(agent.id, BUSINESS, new Date())),
      })
    ).json() as { token: string }
  ).token;
});
afterAll(() => t.close());

/** A person on record and an open deletion request for them, taken from the agent. */
async function openDeletion(): Promise<string> {
  n += 1;
  const email = `ottoline.${n}${Math.random().toString(36).slice(2, 8)}@example.com`;
  const made = await t.app.inject({
    method: "POST",
    url: "/v1/subjects",
    headers: { authorization: `Bearer ${admin}` },
    payload: {
      status: "customer",
      purpose: "essential.service.account",
      collectionPoint: "web.signup",
      birthDate: "1980-04-02",
      jurisdiction: "US-CA",
      fields: { first_name: "Ottoline", last_name: "Hartley", email },
    },
  });
  expect(made.statusCode).toBe(201);
  const res = await send(
    "POST",
    "/v1/data-rights-request",
    agent.sign(
      exerciseClaims(agent.id, BUSINESS, new Date(), {
        email,
        name: "Hartley, Ottoline",
        exercise: "deletion",
      }),
    ),
  );
  expect(res.json()).toMatchObject({ status: "in_progress" });
  return (res.json() as { request_id: string }).request_id;
}

async function kept(id: string): Promise<string | null> {
  const row = await t.store.db
    .selectFrom("drp_requests")
    .select("revoke_reason_enc")
    .where("request_id", "=", id)
    .executeTakeFirstOrThrow();
  return row.revoke_reason_enc;
}

async function revokedEvents(id: string): Promise<Record<string, unknown>[]> {
  const rows = await t.store.db
    .selectFrom("audit_log")
    .select("payload")
    .where("type", "=", "drp.exercise_revoked")
    .execute();
  return rows.map((r) => r.payload as Record<string, unknown>).filter((p) => p.requestId === id);
}

describe("the reason of a revoke (DRP 2.04)", () => {
  it("is kept sealed under the request's data key, and opens to the words given", async () => {
    const id = await openDeletion();
    const res = await send("DELETE", `/v1/data-rights-request/${id}`, agent.sign({ reason: REASON }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ request_id: id, status: "revoked", reason: null });
    const sealed = await kept(id);
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain("Harrowgate");
    const { key_id } = await t.store.db
      .selectFrom("rights_requests")
      .select("key_id")
      .where("request_id", "=", id)
      .executeTakeFirstOrThrow();
    expect(key_id).not.toBeNull();
    const cipher = await vault.cipherFor(t.store.db, key_id!);
    expect(cipher!.decrypt(revokeReasonField(id), sealed!)).toBe(REASON);
    // Bound to its request: the same text under another request's field does not open.
    expect(() => cipher!.decrypt(revokeReasonField(crypto.randomUUID()), sealed!)).toThrow();
  });

  it("is not in the status answered or read, nor in the audit log, which says one was given", async () => {
    const id = await openDeletion();
    const res = await send("DELETE", `/v1/data-rights-request/${id}`, agent.sign({ reason: REASON }));
    const read = await send("GET", `/v1/data-rights-request/${id}`);
    for (const body of [res.body, read.body]) expect(body).not.toContain("Harrowgate");
    expect(Object.keys(read.json() as object).sort()).toEqual(
      ["expires_at", "reason", "received_at", "request_id", "status"].sort(),
    );
    expect(await revokedEvents(id)).toEqual([
      { agentId: agent.id, requestId: id, reasonGiven: true, reasonKept: true },
    ]);
    const audit = await t.store.db.selectFrom("audit_log").select("payload").execute();
    expect(JSON.stringify(audit)).not.toContain("Harrowgate");
  });

  it("a revoke without a reason keeps none, and says so", async () => {
    const id = await openDeletion();
    for (const body of [{}, { reason: "   " }]) {
      const res = await send("DELETE", `/v1/data-rights-request/${id}`, agent.sign(body));
      expect(res.json()).toMatchObject({ status: "revoked" });
    }
    expect(await kept(id)).toBeNull();
    // The second DELETE found the request revoked already: one move, one event.
    expect(await revokedEvents(id)).toEqual([
      { agentId: agent.id, requestId: id, reasonGiven: false, reasonKept: false },
    ]);
  });

  it("a reason sent for a request already revoked does not replace the one kept", async () => {
    const id = await openDeletion();
    await send("DELETE", `/v1/data-rights-request/${id}`, agent.sign({ reason: REASON }));
    await send("DELETE", `/v1/data-rights-request/${id}`, agent.sign({ reason: "something else" }));
    const { key_id } = await t.store.db
      .selectFrom("rights_requests")
      .select("key_id")
      .where("request_id", "=", id)
      .executeTakeFirstOrThrow();
    expect(key_id).not.toBeNull();
    const cipher = await vault.cipherFor(t.store.db, key_id!);
    expect(cipher!.decrypt(revokeReasonField(id), (await kept(id))!)).toBe(REASON);
  });

  it("is never logged, even at trace level", () => {
    expect(logged.length).toBeGreaterThan(1000); // the log did record the requests
    expect(logged).not.toContain("Harrowgate");
    expect(logged).not.toContain("something else");
  });
});
