import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordsFixture, type RecordsFixture } from "../../records/helpers.ts";

/** ZZ Servers 2014-06-01: services chosen (ZZ-01) and communications (ZZ-03, ZZ-11, ZZ-12). */
const PROVISION = "essential.service.provisioning";
const CARRY = "essential.service.communications";
const SECURITY = "essential.service.security";
let f: RecordsFixture;
let support: string;
let abuse: string;
let marketing: string;
let id: string;
let mid: string;
beforeAll(async () => {
  f = await recordsFixture("zzservers");
  support = await f.t.apiKey("support", { attested: true });
  abuse = await f.t.apiKey("abuse", { attested: true });
  marketing = await f.t.apiKey("marketing", { attested: true });
  id = await f.subject();
  const res = await f.req("POST", `/v1/subjects/${id}/communications`, {
    key: support,
    body: {
      direction: "outbound",
      channel: "email",
      content: "your server is ready",
      purpose: CARRY,
      collectionPoint: "smtp.relay",
    },
  });
  mid = res.json().messageId;
});
afterAll(() => f.t.close());

describe("zzservers records", () => {
  it("ZZ-01: the services a customer chose are created and kept while we serve them", async () => {
    const res = await f.req("POST", `/v1/subjects/${id}/services`, {
      key: support,
      body: { plan: "dedicated-2xl", purpose: PROVISION, collectionPoint: "order.form" },
    });
    expect(res.statusCode, res.body).toBe(201);
    const list = (
      await f.req("GET", `/v1/subjects/${id}/services?purpose=${PROVISION}`, { key: support })
    ).json();
    expect(list.items[0]).toMatchObject({ plan: "dedicated-2xl", status: "active" });
  });

  it("ZZ-03: communications are stored only to carry them: metadata is listed, content never", async () => {
    const list = await f.req("GET", `/v1/subjects/${id}/communications?purpose=${CARRY}`, { key: support });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items).toHaveLength(1);
    expect(list.body).not.toContain("server is ready");
    const row = await f.t.store.db
      .selectFrom("communications")
      .select("content_enc")
      .where("message_id", "=", mid)
      .executeTakeFirstOrThrow();
    expect(row.content_enc).not.toContain("server is ready");
    // Storing a message for another purpose (marketing) is refused.
    const other = await f.req("POST", `/v1/subjects/${id}/communications`, {
      key: marketing,
      body: {
        direction: "inbound",
        channel: "email",
        content: "x",
        purpose: "marketing.communications.email",
        collectionPoint: "smtp",
      },
    });
    expect(other.statusCode).toBe(403);
  });

  it("ZZ-11: content is opened only on one of the listed grounds, and the opening is audited", async () => {
    const open = (ground: string) =>
      f.req("POST", `/v1/subjects/${id}/communications/${mid}/open`, {
        key: abuse,
        body: { purpose: SECURITY, ground, caseId: "AUP-77" },
      });
    const refused = await open("marketing_research");
    expect(refused.statusCode).toBe(403);
    const opened = await open("legal_process");
    expect(opened.statusCode, opened.body).toBe(200);
    expect(opened.json()).toMatchObject({ content: "your server is ready", ground: "legal_process" });
    const audit = await f.auditOf(id);
    expect(audit.filter((a) => a.type === "communication.opened").at(-1)?.payload).toMatchObject({
      messageId: mid,
      ground: "legal_process",
      caseId: "AUP-77",
    });
  });

  it("ZZ-12: no opening without a named case, and no route searches communications", async () => {
    const res = await f.req("POST", `/v1/subjects/${id}/communications/${mid}/open`, {
      key: abuse,
      body: { purpose: SECURITY, ground: "legitimate_interests" },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().clauses).toContain("ZZ-12");
    expect((await f.req("GET", "/v1/communications?q=server")).statusCode).toBe(404);
    const spec = f.t.app.swagger() as { paths: Record<string, object> };
    const contentRoutes = Object.keys(spec.paths).filter((p) => p.includes("communications"));
    expect(contentRoutes.sort()).toEqual([
      "/v1/subjects/{id}/communications",
      "/v1/subjects/{id}/communications/{mid}/open",
    ]);
  });
});
