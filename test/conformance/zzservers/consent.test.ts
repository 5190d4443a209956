import { ACCOUNT } from "../../harness/purposes.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture, marketing, type Fixture } from "../../consent/fixture.ts";

describe("zzservers: product news", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture("zzservers");
  });
  afterAll(async () => {
    await f?.t.close();
  });

  const news = marketing("marketing.communications.email", "email", "product-news");

  it("ZZ-07: product-news email can be stopped by an unsubscribe link", async () => {
    const id = await f.subject();
    expect((await f.decide(id, news)).outcome).toBe("allow");
    const res = await f.req("POST", `/v1/subjects/${id}/consents`, {
      purpose: ACCOUNT.zzservers,
      targetKind: "topic",
      target: "product-news",
      channel: "email",
      action: "withdrawn",
      source: "email-link",
      evidence: { linkId: "unsub-1" },
    });
    expect(res.statusCode).toBe(201);
    const d = await f.decide(id, news);
    expect(d.outcome).toBe("deny");
    expect(d.reasons[0]?.clause).toBe("ZZ-07");
  });

  it("ZZ-07: product-news email can be stopped by an emailed request, recorded by staff", async () => {
    const id = await f.subject();
    const res = await f.req("POST", `/v1/subjects/${id}/channels/email/stop`, {
      purpose: ACCOUNT.zzservers,
      source: "staff",
      evidence: { requestId: "mail-42" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().events.map((e: { target: string }) => e.target)).toContain("product-news");
    expect((await f.decide(id, news)).outcome).toBe("deny");
  });
});
