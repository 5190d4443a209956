import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unsubscribeLinks } from "../../src/modules/unsubscribe/links.ts";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { mailConfig } from "../messages/mail.ts";

const SECRET = "an-inbound-hook-secret-of-at-least-32-chars";

describe("the inbound-mail hook", () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await buildTestApp({ company: "partstore", env: { PLEDGE_WEBHOOK_SECRET: SECRET } });
    admin = await t.apiKey("admin");
  });
  afterAll(async () => {
    await t?.close();
  });

  it("with the shared secret, a request carrying the token unsubscribes; a wrong secret writes nothing", async () => {
    const created = await t.app.inject({
      method: "POST",
      url: "/v1/subjects",
      headers: { authorization: `Bearer ${admin}` },
      payload: {
        status: "customer",
        purpose: "essential.service.order_fulfilment",
        collectionPoint: "web.signup",
        birthDate: "1980-04-02",
        jurisdiction: "US",
        fields: { first_name: "Ada", email: "hook@example.com" },
      },
    });
    expect(created.statusCode).toBe(201);
    const id = (created.json() as { id: string }).id;
    const { mailto } = await unsubscribeLinks(t.store.db, mailConfig("smtp://127.0.0.1:1", null), {
      subjectId: id,
      campaignId: null,
      channel: "email",
      purpose: "marketing.communications",
      topic: null,
    });
    const subject = new URL(mailto).searchParams.get("subject") ?? "";
    const send = (secret: string) =>
      t.app.inject({
        method: "POST",
        url: "/v1/unsubscribe/mailto",
        headers: { "x-pledge-hook-secret": secret },
        payload: { subject, from: "hook@example.com" },
      });
    const wrong = await send(SECRET.replace("a", "b"));
    expect(wrong.statusCode).toBe(401);
    const listed = () => t.store.db.selectFrom("suppression_list").select("source").execute();
    expect(await listed()).toEqual([]);
    const ok = await send(SECRET);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ outcome: "unsubscribed", via: "token" });
    expect(await listed()).toEqual([{ source: "email-link" }]);
  });
});
