import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { buildTestApp, type TestApp } from "../harness/app.ts";

const subject = {
  status: "customer",
  age: 40,
  jurisdiction: "US",
  consents: {},
  optOuts: [],
  suppressed: [],
  permissions: [],
};

const sendMarketing = {
  use: {
    action: "send",
    purpose: "marketing.communications",
    fields: ["email", "first_name"],
    channel: "email",
    messageClass: "marketing",
  },
  facts: { subject },
};

async function auditCount(t: TestApp): Promise<number> {
  const { rows } = await sql<{
    n: number;
  }>`select count(*)::int as n from audit_log where type = 'decision'`.execute(t.store.db);
  return rows[0]?.n ?? -1;
}

describe("POST /v1/decisions", () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await buildTestApp();
    key = await t.apiKey("marketing", { attested: true });
  });
  afterAll(async () => t.close());

  const post = (payload: unknown, headers: Record<string, string> = { authorization: `Bearer ${key}` }) =>
    t.app.inject({ method: "POST", url: "/v1/decisions", headers, payload: payload as object });

  it("answers with the decision and the audit row that records it", async () => {
    const before = await auditCount(t);
    const res = await post(sendMarketing);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(["allow", "deny", "partial"]).toContain(body.decision.outcome);
    expect(body.decision.policy).toEqual({ company: "partstore", version: "2009-09-27" });
    expect(body.audit.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await auditCount(t)).toBe(before + 1);
    const row = await t.store.db
      .selectFrom("audit_log")
      .selectAll()
      .where("seq", "=", body.audit.seq)
      .executeTakeFirstOrThrow();
    expect(row.hash).toBe(body.audit.hash);
    expect(row.type).toBe("decision");
    const clauses = [
      ...new Set(body.decision.reasons.map((r: { clause: string | null }) => r.clause)),
    ].filter((c) => c !== null);
    expect(row.payload.clauses).toEqual(clauses);
    expect(row.payload.outcome).toBe(body.decision.outcome);
  });

  it("a refusal is still a 200 with reasons naming clauses, and is audited", async () => {
    const before = await auditCount(t);
    const res = await post({ ...sendMarketing, facts: { subject: { ...subject, suppressed: ["email"] } } });
    expect(res.statusCode).toBe(200);
    const { decision } = res.json();
    expect(decision.outcome).toBe("deny");
    expect(decision.reasons.some((r: { clause: string | null }) => r.clause === "PS-05")).toBe(true);
    expect(await auditCount(t)).toBe(before + 1);
  });

  it("the policy version is the one in force at `use.at`", async () => {
    const res = await post({ ...sendMarketing, use: { ...sendMarketing.use, at: "2001-01-01T00:00:00Z" } });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("PLEDGE_NO_POLICY_IN_FORCE");
  });

  it.each([
    ["PLEDGE_UNKNOWN_PURPOSE", { purpose: "marketing.telepathy" }],
    ["PLEDGE_UNKNOWN_FIELD", { fields: ["email", "shoe_size"] }],
    ["PLEDGE_UNKNOWN_RECIPIENT", { recipient: "nobody-we-know" }],
    ["PLEDGE_UNKNOWN_TOPIC", { topic: "astrology" }],
  ])("%s: a use naming what the pack does not know is a 400 and writes nothing", async (code, change) => {
    const before = await auditCount(t);
    const res = await post({ ...sendMarketing, use: { ...sendMarketing.use, ...change } });
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code, status: 400, type: `urn:pledge:error:${code}` });
    expect(await auditCount(t)).toBe(before);
  });

  it("an unknown property in the use fails the schema and writes nothing", async () => {
    const before = await auditCount(t);
    const res = await post({ ...sendMarketing, use: { ...sendMarketing.use, colour: "blue" } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe("PLEDGE_VALIDATION_FAILED");
    expect(body.errors[0].path).toBe("body/use");
    expect(body.detail).toContain('"colour"');
    expect(await auditCount(t)).toBe(before);
  });

  it("a value outside an enum fails the schema", async () => {
    const res = await post({ ...sendMarketing, use: { ...sendMarketing.use, channel: "pigeon" } });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("PLEDGE_VALIDATION_FAILED");
  });

  it("malformed JSON is a 400 PLEDGE_MALFORMED_JSON", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/decisions",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      payload: '{"use": {',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("PLEDGE_MALFORMED_JSON");
  });

  it("a body over the limit is a 413 PLEDGE_BODY_TOO_LARGE", async () => {
    const before = await auditCount(t);
    const big = { ...sendMarketing, use: { ...sendMarketing.use, caseId: "x".repeat(70 * 1024) } };
    const res = await post(big);
    expect(res.statusCode).toBe(413);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.json().code).toBe("PLEDGE_BODY_TOO_LARGE");
    expect(await auditCount(t)).toBe(before);
  });

  it("a body that is not JSON is a 415", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/decisions",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/xml" },
      payload: "<use/>",
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe("PLEDGE_UNSUPPORTED_MEDIA_TYPE");
  });

  it("an admin key asks as the system; the audit row names its staff member", async () => {
    const admin = await t.apiKey("admin");
    const res = await post(sendMarketing, { authorization: `Bearer ${admin}` });
    expect(res.statusCode).toBe(200);
    const row = await t.store.db
      .selectFrom("audit_log")
      .select(["actor"])
      .where("seq", "=", res.json().audit.seq)
      .executeTakeFirstOrThrow();
    expect(row.actor).toMatch(/^staff:[0-9a-f-]{36}$/);
  });
});
