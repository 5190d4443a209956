import type { LightMyRequestResponse } from "fastify";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { makeAgent, setupClaims, type TestAgent } from "./agent.ts";
import { MemoryRequests } from "./memory-requests.ts";

export const BUSINESS_ID = "pledge-test-001";

export interface DrpWorld {
  readonly t: TestApp;
  readonly admin: string;
  readonly requests: MemoryRequests;
  /** Registers a new agent with this id through the staff API. */
  register(id: string, opts?: { hex?: boolean }): Promise<TestAgent>;
  /** Pair-wise key set-up for `agent`; the bearer token. */
  token(agent: TestAgent): Promise<string>;
  /** Sends a signed body as an agent does: text/plain, bearer token. */
  send(method: "POST" | "DELETE", url: string, body: string, token?: string): Promise<LightMyRequestResponse>;
  get(url: string, token?: string): Promise<LightMyRequestResponse>;
}

/** A Pledge that takes DRP requests for BUSINESS_ID, with rights requests held in memory. */
export async function drpWorld(opts: { drpCallbackDelaysMs?: readonly number[] } = {}): Promise<DrpWorld> {
  const requests = new MemoryRequests();
  const t = await buildTestApp({
    env: { PLEDGE_DRP_BUSINESS_ID: BUSINESS_ID },
    agentRequests: requests,
    ...(opts.drpCallbackDelaysMs ? { drpCallbackDelaysMs: opts.drpCallbackDelaysMs } : {}),
  });
  const admin = await t.apiKey("admin");
  const send: DrpWorld["send"] = (method, url, body, token) =>
    t.app.inject({
      method,
      url,
      headers: {
        "content-type": "text/plain",
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      payload: body,
    });
  return {
    t,
    admin,
    requests,
    async register(id, { hex = false } = {}) {
      const agent = await makeAgent(id);
      const res = await t.app.inject({
        method: "POST",
        url: "/v1/drp/agents",
        headers: { authorization: `Bearer ${admin}` },
        payload: { id, name: `Agent ${id}`, verifyKey: hex ? agent.verifyKeyHex : agent.verifyKey },
      });
      if (res.statusCode !== 201) throw new Error(`registering ${id}: ${res.statusCode} ${res.body}`);
      return agent;
    },
    async token(agent) {
      const res = await send(
        "POST",
        `/v1/agent/${agent.id}`,
        agent.sign(setupClaims(agent.id, BUSINESS_ID, new Date())),
      );
      if (res.statusCode !== 200) throw new Error(`key set-up for ${agent.id}: ${res.statusCode}`);
      return (res.json() as { token: string }).token;
    },
    send,
    get: (url, token) =>
      t.app.inject({
        method: "GET",
        url,
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      }),
  };
}
