import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../harness/app.ts";

const payload = {
  use: { action: "read", purpose: "essential.service.order_fulfilment", fields: ["order_id"] },
  facts: { subject: { status: "customer" } },
};

describe("API key authentication", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  const decide = (headers: Record<string, string>) =>
    t.app.inject({ method: "POST", url: "/v1/decisions", headers, payload });

  it("no key is a 401 PLEDGE_AUTH_MISSING", async () => {
    const res = await decide({});
    expect(res.statusCode).toBe(401);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: "PLEDGE_AUTH_MISSING", status: 401 });
  });

  it("an unknown, malformed or non-bearer key is a 401 PLEDGE_AUTH_INVALID", async () => {
    const key = await t.apiKey("customer_service");
    const forged = key.slice(0, -4) + (key.endsWith("AAAA") ? "BBBB" : "AAAA");
    for (const authorization of [`Bearer ${forged}`, "Bearer pk_nope", `Basic ${key}`]) {
      const res = await decide({ authorization });
      expect(res.statusCode, authorization.slice(0, 12)).toBe(401);
      expect(res.json().code).toBe("PLEDGE_AUTH_INVALID");
    }
  });

  it("a key works as Bearer and as X-API-Key", async () => {
    const key = await t.apiKey("customer_service", { attested: true });
    expect((await decide({ authorization: `Bearer ${key}` })).statusCode).toBe(200);
    expect((await decide({ "x-api-key": key })).statusCode).toBe(200);
  });

  it("a revoked key is refused at once", async () => {
    const admin = await t.apiKey("admin");
    const { staffId } = await t.staff("customer_service");
    const made = await t.app.inject({
      method: "POST",
      url: `/v1/staff/${staffId}/keys`,
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(made.statusCode).toBe(201);
    const { id, key } = made.json();
    expect((await decide({ authorization: `Bearer ${key}` })).statusCode).toBe(200);
    const revoked = await t.app.inject({
      method: "DELETE",
      url: `/v1/keys/${id}`,
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revokedAt).not.toBeNull();
    const res = await decide({ authorization: `Bearer ${key}` });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe("PLEDGE_AUTH_INVALID");
  });

  it("a staff role may not manage staff: 403 PLEDGE_FORBIDDEN_ROLE", async () => {
    const key = await t.apiKey("marketing", { attested: true });
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/staff",
      headers: { authorization: `Bearer ${key}` },
      payload: { displayName: "Mallory", role: "admin" },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("PLEDGE_FORBIDDEN_ROLE");
  });
});

describe("the actor comes from the key", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ company: "zzservers" });
  });
  afterAll(async () => t.close());

  it("ZZ-04: a staff read is refused until the attestation is recorded, then allowed", async () => {
    const read = {
      use: { action: "read", purpose: "essential.service.account_maintenance", fields: ["account_status"] },
      facts: { subject: { status: "customer" } },
    };
    const { staffId, key } = await t.staff("support", { attested: false });
    const ask = async () =>
      (
        await t.app.inject({
          method: "POST",
          url: "/v1/decisions",
          headers: { authorization: `Bearer ${key}` },
          payload: read,
        })
      ).json();

    const before = await ask();
    expect(before.decision.outcome).toBe("deny");
    expect(before.decision.reasons.map((r: { clause: string }) => r.clause)).toContain("ZZ-04");

    const admin = await t.apiKey("admin");
    const res = await t.app.inject({
      method: "POST",
      url: `/v1/staff/${staffId}/attestation`,
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().attestedAt).not.toBeNull();
    expect((await ask()).decision.outcome).toBe("allow");
  });
});
