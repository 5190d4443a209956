import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "../harness/wait.ts";
import { exerciseClaims, type TestAgent } from "./agent.ts";
import { BUSINESS_ID, drpWorld, type DrpWorld } from "./helpers.ts";

/** §2.03: the agent's status callback, served here on 127.0.0.1 as the agent would. */
describe("status callbacks", () => {
  let w: DrpWorld;
  let agent: TestAgent;
  let token: string;
  let server: Server;
  let base: string;
  const received: { path: string; type: string | undefined; body: Record<string, unknown> }[] = [];
  /** Answers to give, in order, before answering 200. */
  const failFirst: number[] = [];

  beforeAll(async () => {
    w = await drpWorld({ drpCallbackDelaysMs: [10, 10, 10] });
    agent = await w.register("CALLBACK_AGENT");
    token = await w.token(agent);
    server = createServer((req, res) => {
      let text = "";
      req.on("data", (c: Buffer) => (text += c.toString()));
      req.on("end", () => {
        const status = failFirst.shift() ?? 200;
        if (status === 200)
          received.push({
            path: req.url ?? "",
            type: req.headers["content-type"],
            body: JSON.parse(text) as Record<string, unknown>,
          });
        res.writeHead(status).end("ignored");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await w.t.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const submit = async (path: string, extra: Record<string, unknown> = {}) => {
    const claims = exerciseClaims(agent.id, BUSINESS_ID, new Date(), {
      status_callback: `${base}${path}`,
      ...extra,
    });
    const res = await w.send("POST", "/v1/data-rights-request", agent.sign(claims), token);
    return (res.json() as { request_id: string }).request_id;
  };

  it("each change of state is POSTed to the callback as the Exercise Status object", async () => {
    const id = await submit("/cb/one", { "agent-request-id": "cb-1" });
    await w.requests.move(id, "verified");
    const got = await until(
      "the in_progress callback",
      () => received.find((r) => r.path === "/cb/one") ?? null,
    );
    expect(got.type).toMatch(/^application\/json/);
    expect(got.body).toMatchObject({
      request_id: id,
      agent_request_id: "cb-1",
      status: "in_progress",
      reason: null,
    });
    expect(got.body.received_at).toMatch(/\+00:00$/);
  });

  it("a failed delivery is tried again after a back-off", async () => {
    const id = await submit("/cb/retry");
    failFirst.push(500, 503);
    await w.requests.move(id, "denied");
    const got = await until(
      "the retried callback",
      () => received.find((r) => r.path === "/cb/retry") ?? null,
    );
    expect(got.body).toMatchObject({ request_id: id, status: "denied", reason: "other" });
  });

  it("revoking through the protocol is a change of state too", async () => {
    const id = await submit("/cb/revoke");
    const res = await w.send("DELETE", `/v1/data-rights-request/${id}`, agent.sign({ reason: "no" }), token);
    expect(res.json()).toMatchObject({ status: "revoked" });
    const got = await until(
      "the revoked callback",
      () => received.find((r) => r.path === "/cb/revoke") ?? null,
    );
    expect(got.body).toMatchObject({ request_id: id, status: "revoked" });
  });

  it("a callback that is not http(s) is never called, and the change goes through", async () => {
    const id = await submit("", { status_callback: "file:///etc/passwd" });
    const moved = await w.requests.move(id, "verified");
    expect(moved.state).toBe("verified");
    const row = await w.t.store.db
      .selectFrom("drp_requests")
      .select("status_callback")
      .where("request_id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row.status_callback).toBeNull();
  });

  it("an agent that never answers does not hold up the change", async () => {
    const id = await submit("/cb/down");
    failFirst.push(500, 500, 500, 500);
    const started = Date.now();
    await w.requests.move(id, "verified");
    expect(Date.now() - started).toBeLessThan(1000);
    await until("the four attempts", () => failFirst.length === 0);
    expect(received.find((r) => r.path === "/cb/down")).toBeUndefined();
  });
});
