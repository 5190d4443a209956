import { ACCOUNT } from "../../harness/purposes.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emailFlow, oneClickUrl, type EmailFlow } from "../../unsubscribe/flow.ts";

const PURPOSE = "marketing.communications";
const TOPICS = ["newsletter", "blog", "surveys"];

describe("zmailcloud: one click stops email marketing", () => {
  let f: EmailFlow;
  beforeAll(async () => {
    f = await emailFlow("zmailcloud");
  });
  afterAll(async () => {
    await f?.close();
  });

  async function subscriber(email: string): Promise<string> {
    const id = await f.subject({ email });
    for (const topic of TOPICS) {
      const res = await f.req("POST", `/v1/subjects/${id}/consents`, {
        purpose: ACCOUNT.zmailcloud,
        targetKind: "topic",
        target: topic,
        channel: "email",
        action: "granted",
        source: "web",
      });
      expect(res.statusCode).toBe(201);
      expect(await f.audience(PURPOSE, topic)).toContain(id);
    }
    return id;
  }

  it("ZM-06: one click on the link of a received marketing email stops email marketing", async () => {
    const email = "zm06-click@example.com";
    const id = await subscriber(email);
    const message = await f.send(id, email, { purpose: PURPOSE });
    const res = await f.oneClick(oneClickUrl(message.raw));
    expect(res.statusCode).toBe(200);
    for (const topic of TOPICS) expect(await f.audience(PURPOSE, topic)).not.toContain(id);
    expect(await f.audience(PURPOSE)).not.toContain(id);
  });

  it("ZM-06: from a newsletter email, the page's single button stops all email marketing", async () => {
    const email = "zm06-page@example.com";
    const id = await subscriber(email);
    const message = await f.send(id, email, { purpose: PURPOSE, topic: "newsletter" });
    const path = new URL(oneClickUrl(message.raw)).pathname;
    const page = await f.t.app.inject({ method: "GET", url: path });
    expect(page.body).toContain('name="scope" value="channel"');
    const res = await f.t.app.inject({
      method: "POST",
      url: path,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "scope=channel",
    });
    expect(res.statusCode).toBe(200);
    for (const topic of TOPICS) expect(await f.audience(PURPOSE, topic)).not.toContain(id);
  });
});
