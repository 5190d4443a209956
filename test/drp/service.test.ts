import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { LightMyRequestResponse } from "fastify";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { until } from "../harness/wait.ts";
import { exerciseClaims, makeAgent, setupClaims, type TestAgent } from "./agent.ts";

/**
 * DRP end to end over Pledge's own rights-request service (no stand-in): the zones pack, where
 * the CCPA applies to US-CA and a request is matched on the pack's identifying sets. The agent
 * signs with libsodium; the status callback is a local server.
 */
const BUSINESS = "zones-drp-001";
let t: TestApp;
let admin: string;
let agent: TestAgent;
let token: string;
let server: Server;
let base: string;
const received: { path: string; body: Record<string, unknown> }[] = [];
let n = 0;

const send = (
  method: "POST" | "DELETE",
  url: string,
  body: string,
  bearer?: string,
): Promise<LightMyRequestResponse> =>
  t.app.inject({
    method,
    url,
    headers: {
      "content-type": "text/plain",
      ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
    },
    payload: body,
  });

async function person(line1?: string): Promise<{ id: string; email: string }> {
  n += 1;
  const email = `ada.${n}${Math.random().toString(36).slice(2, 8)}@example.com`;
  const res = await t.app.inject({
    method: "POST",
    url: "/v1/subjects",
    headers: { authorization: `Bearer ${admin}` },
    payload: {
      status: "customer",
      purpose: "essential.service.account",
      collectionPoint: "web.signup",
      birthDate: "1980-04-02",
      jurisdiction: "US-CA",
      fields: { first_name: "Ada", last_name: "Lovelace", email },
      addresses: [
        {
          kind: "postal",
          line1: line1 ?? `${n} Elm Street`,
          city: "Arlington",
          region: "VA",
          postalCode: "22201",
          country: "US",
        },
      ],
    },
  });
  if (res.statusCode !== 201) throw new Error(`POST /v1/subjects answered ${res.statusCode}: ${res.body}`);
  return { id: (res.json() as { id: string }).id, email };
}

beforeAll(async () => {
  t = await buildTestApp({
    company: "zones",
    env: { PLEDGE_DRP_BUSINESS_ID: BUSINESS },
    drpCallbackDelaysMs: [10, 10],
  });
  admin = await t.apiKey("admin");
  agent = await makeAgent("CR_AA_DRP_ID_001");
  const reg = await t.app.inject({
    method: "POST",
    url: "/v1/drp/agents",
    headers: { authorization: `Bearer ${admin}` },
    payload: { id: agent.id, name: "Consumer Reports", verifyKey: agent.verifyKeyHex },
  });
  expect(reg.statusCode).toBe(201);
  const setup = await send(
    "POST",
    `/v1/agent/${agent.id}`,
    agent.sign(setupClaims(agent.id, BUSINESS, new Date())),
  );
  token = (setup.json() as { token: string }).token;
  server = createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString()));
    req.on("end", () => {
      received.push({ path: req.url ?? "", body: JSON.parse(text) as Record<string, unknown> });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await t.close();
  await new Promise((resolve) => server.close(resolve));
});

const exercise = (extra: Record<string, unknown>) =>
  send(
    "POST",
    "/v1/data-rights-request",
    agent.sign(exerciseClaims(agent.id, BUSINESS, new Date(), extra)),
    token,
  );

describe("DRP over the rights-request service", () => {
  it("an opt-out of sale for a person on record is taken, matched and done at once (fulfilled)", async () => {
    const p = await person();
    const res = await exercise({ email: p.email, "agent-request-id": "svc-1" });
    expect(res.statusCode).toBe(200);
    const s = res.json() as Record<string, unknown>;
    expect(s).toMatchObject({ agent_request_id: "svc-1", status: "fulfilled", reason: null });
    const row = await t.store.db
      .selectFrom("rights_requests")
      .select(["intake", "agent_id", "agent_request_id", "subject_id", "kind"])
      .where("request_id", "=", s.request_id as string)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      intake: "agent",
      agent_id: agent.id,
      agent_request_id: "svc-1",
      subject_id: p.id,
      kind: "opt_out_sale",
    });
  });

  it("a request for nobody on record is denied no_match", async () => {
    const res = await exercise({ email: "nobody-at-all@example.com", exercise: "deletion" });
    expect(res.json()).toMatchObject({ status: "denied", reason: "no_match" });
  });

  it("a deletion is in progress with a due date; the agent reads it and revokes it; the callback follows", async () => {
    const p = await person();
    const res = await exercise({ email: p.email, exercise: "deletion", status_callback: `${base}/cb` });
    const s = res.json() as { request_id: string; status: string; expected_by: string };
    expect(s.status).toBe("in_progress");
    expect(s.expected_by).toMatch(/\+00:00$/);
    const read = await t.app.inject({
      url: `/v1/data-rights-request/${s.request_id}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(read.json()).toMatchObject({ request_id: s.request_id, status: "in_progress" });
    const revoked = await send(
      "DELETE",
      `/v1/data-rights-request/${s.request_id}`,
      agent.sign({ reason: "changed my mind" }),
      token,
    );
    expect(revoked.json()).toMatchObject({ request_id: s.request_id, status: "revoked" });
    const state = await t.store.db
      .selectFrom("rights_requests")
      .select("state")
      .where("request_id", "=", s.request_id)
      .executeTakeFirstOrThrow();
    expect(state.state).toBe("revoked");
    const got = await until(
      "the revoked callback",
      () => received.find((r) => r.body.request_id === s.request_id && r.body.status === "revoked") ?? null,
    );
    expect(got.path).toBe("/cb");
    const again = await send(
      "DELETE",
      `/v1/data-rights-request/${s.request_id}`,
      agent.sign({ reason: "again" }),
      token,
    );
    expect(again.json()).toMatchObject({ status: "revoked" });
  });

  it("a repeat of an open request is answered with that request", async () => {
    const p = await person();
    const first = (await exercise({ email: p.email, exercise: "access" })).json() as { request_id: string };
    const again = await exercise({ email: p.email, exercise: "access" });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ request_id: first.request_id, status: "in_progress" });
  });

  it("claims that fit two people act on nobody: the request is denied insuf_verification, with a status to show", async () => {
    const line1 = `${Math.random()
      .toString(36)
      .replace(/[^a-z]/g, "")
      .slice(0, 5)} Shared Lane`;
    const a = await person(line1);
    const b = await person(line1);
    const ledger = () =>
      t.store.db
        .selectFrom("consent_events")
        .select("subject_id")
        .where("subject_id", "in", [a.id, b.id])
        .execute();
    const before = (await ledger()).length;
    const { email: _email, ...claims } = exerciseClaims(agent.id, BUSINESS, new Date(), {
      name: "Lovelace, Ada",
      address: {
        street_address: line1,
        locality: "Arlington",
        region: "VA",
        postal_code: "22201",
        country: "US",
      },
      "agent-request-id": "svc-twins",
    });
    const res = await send("POST", "/v1/data-rights-request", agent.sign(claims), token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: "denied", reason: "insuf_verification" });
    const row = await t.store.db
      .selectFrom("rights_requests")
      .select(["subject_id", "denial_reason"])
      .where("agent_request_id", "=", "svc-twins")
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ subject_id: null, denial_reason: "insuf_verification" });
    expect((await ledger()).length).toBe(before);
  });

  it("the envelope's claim, the rights request and the agent's record commit together: a failure leaves none, and the envelope may be sent again", async () => {
    const p = await person();
    const body = agent.sign(
      exerciseClaims(agent.id, BUSINESS, new Date(), { email: p.email, "agent-request-id": "boom" }),
    );
    // The agent's record is the last write of the exercise: make it fail, once.
    await sql`create function drp_test_boom() returns trigger language plpgsql as $$
      begin
        if new.agent_request_id = 'boom' then raise exception 'boom'; end if;
        return new;
      end $$`.execute(t.store.db);
    await sql`create trigger drp_test_boom before insert on drp_requests for each row execute function drp_test_boom()`.execute(
      t.store.db,
    );
    const requests = async () =>
      Number(
        (
          await t.store.db
            .selectFrom("rights_requests")
            .select((eb) => eb.fn.countAll().as("n"))
            .where("subject_id", "=", p.id)
            .executeTakeFirstOrThrow()
        ).n,
      );
    try {
      const failed = await send("POST", "/v1/data-rights-request", body, token);
      expect(failed.statusCode).toBe(500);
      expect(await requests()).toBe(0);
    } finally {
      await sql`drop trigger drp_test_boom on drp_requests`.execute(t.store.db);
      await sql`drop function drp_test_boom()`.execute(t.store.db);
    }
    const again = await send("POST", "/v1/data-rights-request", body, token);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ agent_request_id: "boom", status: "fulfilled" });
    expect(await requests()).toBe(1);
    const replayed = await send("POST", "/v1/data-rights-request", body, token);
    expect((replayed.json() as { message: string }).message).toMatch(/^PLEDGE_DRP_REPLAYED/);
    expect(await requests()).toBe(1); // a replay makes no second request
  });
});
