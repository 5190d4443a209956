import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordsFixture, type RecordsFixture } from "./helpers.ts";

const CARRY = "essential.service.communications";
const SECURITY = "essential.service.security";
const CONTENT = "Hello, the invoice is attached. Regards, Ada";

describe("communications (zzservers)", () => {
  let f: RecordsFixture;
  let id: string;
  let mid: string;
  let support: string;
  let abuse: string;
  beforeAll(async () => {
    f = await recordsFixture("zzservers");
    id = await f.subject();
    support = await f.t.apiKey("support", { attested: true });
    abuse = await f.t.apiKey("abuse", { attested: true });
    const res = await f.req("POST", `/v1/subjects/${id}/communications`, {
      key: support,
      body: {
        direction: "inbound",
        channel: "email",
        content: CONTENT,
        purpose: CARRY,
        collectionPoint: "smtp.inbound",
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    mid = res.json().messageId;
  });
  afterAll(async () => f.t.close());

  it("stores the content encrypted and lists metadata only", async () => {
    const row = await f.t.store.db
      .selectFrom("communications")
      .selectAll()
      .where("message_id", "=", mid)
      .executeTakeFirstOrThrow();
    expect(row.content_enc).not.toContain("invoice");
    expect(row.size_bytes).toBe(Buffer.byteLength(CONTENT));
    const list = await f.req("GET", `/v1/subjects/${id}/communications?purpose=${CARRY}&channel=email`, {
      key: support,
    });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items[0]).toMatchObject({ messageId: mid, direction: "inbound", channel: "email" });
    expect(list.body).not.toContain("invoice");
  });

  it("opens one message on a content ground for a case, and audits the opening", async () => {
    const res = await f.req("POST", `/v1/subjects/${id}/communications/${mid}/open`, {
      key: abuse,
      body: { purpose: SECURITY, ground: "legitimate_interests", caseId: "AUP-2041" },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      content: CONTENT,
      ground: "legitimate_interests",
      caseId: "AUP-2041",
    });
    const opened = (await f.auditOf(id)).filter((a) => a.type === "communication.opened");
    expect(opened.at(-1)?.payload).toEqual({
      messageId: mid,
      purpose: SECURITY,
      ground: "legitimate_interests",
      caseId: "AUP-2041",
    });
    expect(JSON.stringify(opened)).not.toContain("invoice");
  });

  it("refuses opening without a case, or on a ground the pack does not list", async () => {
    const noCase = await f.req("POST", `/v1/subjects/${id}/communications/${mid}/open`, {
      key: abuse,
      body: { purpose: SECURITY, ground: "legitimate_interests" },
    });
    expect(noCase.statusCode).toBe(403);
    expect(noCase.json().clauses).toContain("ZZ-12");
    expect(noCase.json().detail).toMatch(/case_required/);
    const badGround = await f.req("POST", `/v1/subjects/${id}/communications/${mid}/open`, {
      key: abuse,
      body: { purpose: SECURITY, ground: "curiosity", caseId: "AUP-2041" },
    });
    expect(badGround.statusCode).toBe(403);
    // The gate names the pack's communications clause for every content refusal.
    expect(badGround.json().clauses).toContain("ZZ-12");
    expect(badGround.json().detail).toMatch(/content_ground_missing/);
  });

  it("a role without the purpose cannot open content", async () => {
    const res = await f.req("POST", `/v1/subjects/${id}/communications/${mid}/open`, {
      key: support,
      body: { purpose: SECURITY, ground: "legitimate_interests", caseId: "AUP-2041" },
    });
    expect(res.statusCode).toBe(403);
  });

  it("no route searches or lists content in bulk", () => {
    const routes = f.t.app.printRoutes({ commonPrefix: false });
    expect(routes).not.toMatch(/communications[^\n]*search/);
    expect(routes).not.toMatch(/^[^\n]*\/v1\/communications/m);
    const spec = f.t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const paths = Object.keys(spec.paths).filter((p) => p.includes("communications"));
    expect(paths.sort()).toEqual([
      "/v1/subjects/{id}/communications",
      "/v1/subjects/{id}/communications/{mid}/open",
    ]);
    expect(Object.keys(spec.paths["/v1/subjects/{id}/communications/{mid}/open"]!)).toEqual(["post"]);
  });

  it("GET /v1/communications?q= does not exist", async () => {
    const res = await f.req("GET", "/v1/communications?q=invoice");
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain("invoice");
  });
});
