import { ACCOUNT } from "../../harness/purposes.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emailFlow, oneClickUrl, type EmailFlow } from "../../unsubscribe/flow.ts";

const PURPOSE = "marketing.communications.email";
const TOPIC = "product-news";

describe("zzservers: stopping product news", () => {
  let f: EmailFlow;
  beforeAll(async () => {
    f = await emailFlow("zzservers");
  });
  afterAll(async () => {
    await f?.close();
  });

  async function subscriber(email: string): Promise<string> {
    const id = await f.subject({ email });
    const res = await f.req("POST", `/v1/subjects/${id}/consents`, {
      purpose: ACCOUNT.zzservers,
      targetKind: "topic",
      target: TOPIC,
      channel: "email",
      action: "granted",
      source: "web",
    });
    expect(res.statusCode).toBe(201);
    expect(await f.audience(PURPOSE, TOPIC)).toContain(id);
    return id;
  }

  it("ZZ-07: product-news email stops through the unsubscribe link of a received message", async () => {
    const email = "zz07-link@example.com";
    const id = await subscriber(email);
    const message = await f.send(id, email, { purpose: PURPOSE, topic: TOPIC });
    const res = await f.oneClick(oneClickUrl(message.raw));
    expect(res.statusCode).toBe(200);
    expect(await f.audience(PURPOSE, TOPIC)).not.toContain(id);
    const prefs = await f.req("GET", `/v1/subjects/${id}/preferences?purpose=${ACCOUNT.zzservers}`);
    expect(prefs.statusCode).toBe(200);
    expect(prefs.body).toContain("withdrawn");
  });

  it("ZZ-07: product-news email stops through an emailed request to the List-Unsubscribe mailbox", async () => {
    const email = "zz07-mail@example.com";
    const id = await subscriber(email);
    const message = await f.send(id, email, { purpose: PURPOSE, topic: TOPIC });
    const header = message.raw.replace(/\r\n[ \t]+/g, " ");
    const mailto = new URL(/<(mailto:[^>]+)>/.exec(header)?.[1] ?? "mailto:x");
    expect(mailto.pathname).toBe(f.mail.unsubscribeMailto);
    const subjectLine = mailto.searchParams.get("subject") ?? "";
    const res = await f.req("POST", "/v1/unsubscribe/mailto", { subject: subjectLine, from: email });
    expect(res.statusCode).toBe(200);
    expect(await f.audience(PURPOSE, TOPIC)).not.toContain(id);
  });

  it("ZZ-07: an emailed request with no token, handled by staff, stops product news for that address", async () => {
    const email = "zz07-staff@example.com";
    const id = await subscriber(email);
    const res = await f.req("POST", "/v1/unsubscribe/mailto", { from: email });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ subjects: 1 });
    expect(await f.audience(PURPOSE, TOPIC)).not.toContain(id);
  });
});
