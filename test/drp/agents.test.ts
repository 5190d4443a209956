import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp } from "../harness/app.ts";
import { makeAgent } from "./agent.ts";
import { drpWorld, type DrpWorld } from "./helpers.ts";

describe("the DRP agent registry", () => {
  let w: DrpWorld;
  beforeAll(async () => {
    w = await drpWorld();
  });
  afterAll(() => w.t.close());

  const post = (payload: Record<string, string>, key = w.admin) =>
    w.t.app.inject({
      method: "POST",
      url: "/v1/drp/agents",
      headers: { authorization: `Bearer ${key}` },
      payload,
    });

  it("admin registers an agent with a base64 key; it reads back, listed, active", async () => {
    const agent = await makeAgent("CR_AA_DRP_ID_001");
    const res = await post({
      id: agent.id,
      name: "Consumer Reports",
      verifyKey: agent.verifyKey,
      webUrl: "https://cr.example",
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      id: agent.id,
      verifyKey: agent.verifyKey,
      status: "active",
      disabledAt: null,
    });
    const one = await w.t.app.inject({
      url: `/v1/drp/agents/${agent.id}`,
      headers: { authorization: `Bearer ${w.admin}` },
    });
    expect(one.json()).toMatchObject({ name: "Consumer Reports", webUrl: "https://cr.example" });
    const list = await w.t.app.inject({
      url: "/v1/drp/agents",
      headers: { authorization: `Bearer ${w.admin}` },
    });
    expect((list.json() as { items: { id: string }[] }).items.map((a) => a.id)).toContain(agent.id);
  });

  it("a 64-hex-digit key (OSIRAA's directory) is stored as the same 32 bytes, shown in base64", async () => {
    const agent = await makeAgent("HEX_AGENT");
    const res = await post({ id: agent.id, name: "Hex", verifyKey: agent.verifyKeyHex });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ verifyKey: agent.verifyKey });
  });

  it("refuses a key that is not 32 bytes, an id outside [A-Z0-9_], and an id taken", async () => {
    const agent = await makeAgent("DUP_AGENT");
    expect((await post({ id: "BAD_KEY", name: "x", verifyKey: "abcd" })).json()).toMatchObject({
      code: "PLEDGE_DRP_VERIFY_KEY_INVALID",
    });
    expect((await post({ id: "lower-case", name: "x", verifyKey: agent.verifyKey })).statusCode).toBe(400);
    expect((await post({ id: agent.id, name: "x", verifyKey: agent.verifyKey })).statusCode).toBe(201);
    const again = await post({ id: agent.id, name: "x", verifyKey: agent.verifyKey });
    expect([again.statusCode, again.json().code]).toEqual([409, "PLEDGE_DRP_AGENT_EXISTS"]);
  });

  it("only the admin role manages agents", async () => {
    const agent = await makeAgent("STAFF_TRY");
    const key = await w.t.apiKey(w.t.pack().staff.roles[0]!.id);
    expect((await post({ id: agent.id, name: "x", verifyKey: agent.verifyKey }, key)).statusCode).toBe(403);
    expect((await w.t.app.inject({ url: "/v1/drp/agents" })).statusCode).toBe(401);
  });

  it("disabling keeps the agent, says when, and is idempotent; an unknown agent is 404", async () => {
    const agent = await w.register("TO_DISABLE");
    const del = () =>
      w.t.app.inject({
        method: "DELETE",
        url: `/v1/drp/agents/${agent.id}`,
        headers: { authorization: `Bearer ${w.admin}` },
      });
    const first = await del();
    expect(first.json()).toMatchObject({ status: "disabled" });
    expect((await del()).json()).toEqual(first.json());
    const none = await w.t.app.inject({
      url: "/v1/drp/agents/NO_SUCH",
      headers: { authorization: `Bearer ${w.admin}` },
    });
    expect(none.statusCode).toBe(404);
  });

  it("registering and disabling are audited, naming the agent and the staff member", async () => {
    const rows = await w.t.store.db
      .selectFrom("audit_log")
      .select(["type", "actor", "payload"])
      .where("type", "in", ["drp.agent_registered", "drp.agent_disabled"])
      .execute();
    expect(rows.map((r) => [r.type, (r.payload as { agentId: string }).agentId])).toEqual(
      expect.arrayContaining([
        ["drp.agent_registered", "CR_AA_DRP_ID_001"],
        ["drp.agent_disabled", "TO_DISABLE"],
      ]),
    );
    expect(rows.every((r) => r.actor.startsWith("staff:"))).toBe(true);
  });
});

describe("without PLEDGE_DRP_BUSINESS_ID", () => {
  it("no DRP route exists", async () => {
    const t = await buildTestApp();
    try {
      const admin = await t.apiKey("admin");
      for (const [method, url] of [
        ["GET", "/v1/drp/agents"],
        ["POST", "/v1/agent/CR_AA_DRP_ID_001"],
        ["POST", "/v1/data-rights-request"],
        ["GET", "/v1/data-rights-request/3f1c2a4e-1111-4222-8333-444455556666"],
      ] as const) {
        const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${admin}` } });
        expect(res.statusCode, `${method} ${url}`).toBe(404);
      }
    } finally {
      await t.close();
    }
  });
});
