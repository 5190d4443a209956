import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exerciseClaims, pyTime, setupClaims, type TestAgent } from "./agent.ts";
import { BUSINESS_ID, drpWorld, type DrpWorld } from "./helpers.ts";

/**
 * DRP 1.0 from the agent's side (§2.01–2.06, §3.03, §3.06, §3.07): every body signed with
 * libsodium over json.dumps bytes, sent as text/plain with the pair-wise bearer token.
 */
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/;

describe("DRP 1.0 endpoints", () => {
  let w: DrpWorld;
  let agent: TestAgent;
  let other: TestAgent;
  let token: string;
  let otherToken: string;
  const claims = (extra: Record<string, unknown> = {}) =>
    exerciseClaims(agent.id, BUSINESS_ID, new Date(), extra);

  beforeAll(async () => {
    w = await drpWorld();
    agent = await w.register("CR_AA_DRP_ID_001", { hex: true });
    other = await w.register("OTHER_AGENT");
    token = await w.token(agent);
    otherToken = await w.token(other);
  });
  afterAll(() => w.t.close());

  describe("2.05 pair-wise key set-up", () => {
    it("answers the agent id and a token of 64 random bytes in base64", async () => {
      const res = await w.send(
        "POST",
        `/v1/agent/${agent.id}`,
        agent.sign(setupClaims(agent.id, BUSINESS_ID, new Date())),
      );
      expect(res.statusCode).toBe(200);
      const body = res.json() as { "agent-id": string; token: string };
      expect(body["agent-id"]).toBe(agent.id);
      expect(Buffer.from(body.token, "base64")).toHaveLength(64);
      const before = token;
      token = body.token; // the new token replaces the old one
      expect((await w.get(`/v1/agent/${agent.id}`, before)).statusCode).toBe(401);
      expect((await w.get(`/v1/agent/${agent.id}`, token)).statusCode).toBe(200);
    });

    it("every failure is a 403 with an empty body", async () => {
      const now = new Date();
      const good = setupClaims(agent.id, BUSINESS_ID, now);
      const cases: [string, string, string][] = [
        ["signed by another agent's key", agent.id, other.sign(good)],
        ["URL agent differs from agent-id", other.id, other.sign(good)],
        ["wrong business", agent.id, agent.sign({ ...good, "business-id": "someone-else" })],
        ["expired", agent.id, agent.sign({ ...good, "expires-at": pyTime(new Date(now.getTime() - 1000)) })],
        [
          "issued in the future",
          agent.id,
          agent.sign({ ...good, "issued-at": pyTime(new Date(now.getTime() + 600_000)) }),
        ],
        ["malformed base64", agent.id, "not base64!"],
        ["unregistered agent", "NOBODY", agent.sign({ ...good, "agent-id": "NOBODY" })],
        ["bad agent id", "lower", agent.sign(good)],
      ];
      for (const [name, urlAgent, body] of cases) {
        const res = await w.send("POST", `/v1/agent/${urlAgent}`, body);
        expect([res.statusCode, res.body], name).toEqual([403, ""]);
      }
      const json = await w.t.app.inject({ method: "POST", url: `/v1/agent/${agent.id}`, payload: good });
      expect([json.statusCode, json.body]).toEqual([403, ""]);
    });
  });

  describe("2.06 agent information", () => {
    it("{} for the token's own agent; 403 for another's; 401 without a token", async () => {
      const own = await w.get(`/v1/agent/${agent.id}`, token);
      expect([own.statusCode, own.json()]).toEqual([200, {}]);
      const theirs = await w.get(`/v1/agent/${other.id}`, token);
      expect(theirs.statusCode).toBe(403);
      expect(theirs.json()).toMatchObject({ code: "403" });
      expect((await w.get(`/v1/agent/${agent.id}`)).statusCode).toBe(401);
    });
  });

  describe("2.01 exercise, 2.02 status, 2.04 revoke", () => {
    it("a CCPA opt-out of sale is taken as an open Pledge request and answered with its status", async () => {
      const res = await w.send(
        "POST",
        "/v1/data-rights-request",
        agent.sign(claims({ "agent-request-id": "cr-1" })),
        token,
      );
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      const s = res.json() as Record<string, unknown>;
      expect(s).toMatchObject({ agent_request_id: "cr-1", status: "open", reason: null });
      expect(s.request_id).toMatch(/^[0-9a-f-]{36}$/);
      for (const field of ["received_at", "expected_by", "expires_at"]) expect(s[field]).toMatch(TIME);
      expect(w.requests.inputs.at(-1)).toEqual({
        kind: "opt_out_sale",
        intake: "agent",
        claimant: { email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" },
        jurisdiction: "US-CA",
        agent: { id: agent.id, requestId: "cr-1" },
      });
    });

    it("the trailing-slash path is accepted too, and sale:opt_out is the same action", async () => {
      const res = await w.send(
        "POST",
        "/v1/data-rights-request/",
        agent.sign(claims({ exercise: "sale:opt_out" })),
        token,
      );
      expect(res.statusCode).toBe(200);
      expect(w.requests.inputs.at(-1)?.kind).toBe("opt_out_sale");
    });

    it.each([
      ["deletion", "deletion"],
      ["access", "access"],
      ["access:categories", "access"],
      ["access:specific", "access"],
    ])("%s becomes a %s request", async (exercise, kind) => {
      const res = await w.send(
        "POST",
        "/v1/data-rights-request",
        agent.sign(claims({ exercise, regime: undefined })),
        token,
      );
      expect(res.json()).toMatchObject({ status: "open" });
      expect(w.requests.inputs.at(-1)).toMatchObject({ kind });
      expect(w.requests.inputs.at(-1)).not.toHaveProperty("jurisdiction");
    });

    it("an action Pledge does not cover is a denied/claim_not_covered status, not an error, and it reads back", async () => {
      const before = w.requests.inputs.length;
      for (const exercise of ["sale:opt-in", "telepathy"]) {
        const res = await w.send("POST", "/v1/data-rights-request", agent.sign(claims({ exercise })), token);
        expect(res.statusCode).toBe(200);
        const s = res.json() as { request_id: string };
        expect(s).toMatchObject({ status: "denied", reason: "claim_not_covered" });
        const again = await w.get(`/v1/data-rights-request/${s.request_id}`, token);
        expect(again.json()).toEqual(s);
      }
      expect(w.requests.inputs.length).toBe(before);
    });

    it("status reads the request as it is now; revoke moves it to revoked", async () => {
      const made = await w.send(
        "POST",
        "/v1/data-rights-request",
        agent.sign(claims({ exercise: "deletion" })),
        token,
      );
      const id = (made.json() as { request_id: string }).request_id;
      await w.requests.move(id, "verified");
      const status = await w.get(`/v1/data-rights-request/${id}`, token);
      expect(status.json()).toMatchObject({ request_id: id, status: "in_progress", reason: null });
      const revoked = await w.send(
        "DELETE",
        `/v1/data-rights-request/${id}`,
        agent.sign({ reason: "I changed my mind" }),
        token,
      );
      expect(revoked.statusCode).toBe(200);
      expect(revoked.json()).toMatchObject({ request_id: id, status: "revoked" });
      expect((await w.get(`/v1/data-rights-request/${id}`, token)).json()).toMatchObject({
        status: "revoked",
      });
    });
  });

  describe("refusals (§3.06 bodies: code as a string, message)", () => {
    const exercise = (body: string, t = token) => w.send("POST", "/v1/data-rights-request", body, t);
    const refusal = async (res: Awaited<ReturnType<typeof exercise>>) => ({
      status: res.statusCode,
      code: (res.json() as { code: string }).code,
      pledge: (res.json() as { message: string }).message.split(":")[0],
      fatal: (res.json() as { fatal?: boolean }).fatal,
    });

    it("bad signature: 403", async () => {
      expect(await refusal(await exercise(other.sign(claims())))).toMatchObject({
        status: 403,
        code: "403",
        pledge: "PLEDGE_DRP_SIGNATURE_INVALID",
      });
    });

    it("replay of an accepted envelope: 403, and no second request", async () => {
      const body = agent.sign(claims());
      expect((await exercise(body)).statusCode).toBe(200);
      const count = w.requests.inputs.length;
      expect(await refusal(await exercise(body))).toMatchObject({
        status: 403,
        pledge: "PLEDGE_DRP_REPLAYED",
      });
      expect(w.requests.inputs.length).toBe(count);
    });

    it("expired: 403 and fatal", async () => {
      const past = new Date(Date.now() - 3_600_000);
      const body = agent.sign(exerciseClaims(agent.id, BUSINESS_ID, past));
      expect(await refusal(await exercise(body))).toEqual({
        status: 403,
        code: "403",
        pledge: "PLEDGE_DRP_EXPIRED",
        fatal: true,
      });
    });

    it("issued in the future: 403", async () => {
      const body = agent.sign(exerciseClaims(agent.id, BUSINESS_ID, new Date(Date.now() + 300_000)));
      expect(await refusal(await exercise(body))).toMatchObject({
        status: 403,
        pledge: "PLEDGE_DRP_NOT_YET_VALID",
      });
    });

    it("wrong business id: 403", async () => {
      const body = agent.sign(claims({ "business-id": "another-business" }));
      expect(await refusal(await exercise(body))).toMatchObject({
        status: 403,
        pledge: "PLEDGE_DRP_WRONG_BUSINESS",
      });
    });

    it("another agent's token with this agent's envelope: the signature fails under the token's agent's key", async () => {
      expect(await refusal(await exercise(agent.sign(claims()), otherToken))).toMatchObject({
        status: 403,
        pledge: "PLEDGE_DRP_SIGNATURE_INVALID",
      });
    });

    it("wrong agent id in the claims, signed by the token's agent: 403", async () => {
      const body = agent.sign(claims({ "agent-id": other.id }));
      expect(await refusal(await exercise(body))).toMatchObject({
        status: 403,
        pledge: "PLEDGE_DRP_WRONG_AGENT",
      });
    });

    it("wrong drp.version: 400", async () => {
      expect(await refusal(await exercise(agent.sign(claims({ "drp.version": "0.9" }))))).toMatchObject({
        status: 400,
        pledge: "PLEDGE_DRP_VERSION_UNSUPPORTED",
      });
    });

    it("malformed base64: 400", async () => {
      expect(await refusal(await exercise("%%% not base64 %%%"))).toMatchObject({
        status: 400,
        code: "400",
        pledge: "PLEDGE_DRP_ENVELOPE_MALFORMED",
      });
    });

    it("no token, or a made-up one: 401", async () => {
      expect(await refusal(await exercise(agent.sign(claims()), "made-up"))).toMatchObject({
        status: 401,
        pledge: "PLEDGE_DRP_TOKEN_INVALID",
      });
      const none = await w.send("POST", "/v1/data-rights-request", agent.sign(claims()));
      expect(none.statusCode).toBe(401);
    });

    it("unknown request id: 404 with the error body; another agent's request: 403", async () => {
      const unknown = await w.get("/v1/data-rights-request/3f1c2a4e-1111-4222-8333-444455556666", token);
      expect([unknown.statusCode, unknown.json()]).toEqual([
        404,
        { code: "404", message: "PLEDGE_NOT_FOUND: no such request" },
      ]);
      expect((await w.get("/v1/data-rights-request/not-a-uuid", token)).statusCode).toBe(404);
      const made = await exercise(agent.sign(claims()));
      const id = (made.json() as { request_id: string }).request_id;
      const theirs = await w.get(`/v1/data-rights-request/${id}`, otherToken);
      expect(await refusal(theirs)).toMatchObject({ status: 403, pledge: "PLEDGE_DRP_WRONG_AGENT" });
      const revoke = await w.send(
        "DELETE",
        `/v1/data-rights-request/${id}`,
        other.sign({ reason: "x" }),
        otherToken,
      );
      expect(revoke.statusCode).toBe(403);
      expect((await w.get(`/v1/data-rights-request/${id}`, token)).json()).toMatchObject({ status: "open" });
    });

    it("a revoke whose body is not signed by the token's agent is refused", async () => {
      const made = await exercise(agent.sign(claims()));
      const id = (made.json() as { request_id: string }).request_id;
      const res = await w.send("DELETE", `/v1/data-rights-request/${id}`, other.sign({ reason: "x" }), token);
      expect(await refusal(res)).toMatchObject({ status: 403, pledge: "PLEDGE_DRP_SIGNATURE_INVALID" });
    });

    it("a disabled agent can neither use its token nor set up another", async () => {
      const gone = await w.register("SOON_GONE");
      const goneToken = await w.token(gone);
      await w.t.app.inject({
        method: "DELETE",
        url: `/v1/drp/agents/${gone.id}`,
        headers: { authorization: `Bearer ${w.admin}` },
      });
      const body = gone.sign(exerciseClaims(gone.id, BUSINESS_ID, new Date()));
      expect((await exercise(body, goneToken)).statusCode).toBe(401);
      const setup = await w.send(
        "POST",
        `/v1/agent/${gone.id}`,
        gone.sign(setupClaims(gone.id, BUSINESS_ID, new Date())),
      );
      expect([setup.statusCode, setup.body]).toEqual([403, ""]);
    });
  });
});
