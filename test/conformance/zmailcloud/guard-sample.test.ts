import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { containsCardNumber } from "../../../src/crypto/cards.ts";
import { signBody } from "../../../src/modules/deliverability/signature.ts";
import { buildTestApp, type TestApp } from "../../harness/app.ts";
import { startSmtpSink, type SmtpSink } from "../../harness/smtp.ts";
import { until } from "../../harness/wait.ts";

const SECRET = "zm10-sample-webhook-secret-of-enough-length-0123";
const PEOPLE = 260;
const EARLY = 30;

interface View {
  status: string;
  stoppedReason: string | null;
  stoppedClause: string | null;
  messages: Record<string, number>;
}

/**
 * ZM-10 ("we will stop a campaign … once complaints pass 0.1 % of at least 200 messages sent"):
 * complaints that arrive before the sample is reached must still stop the campaign when sending
 * reaches it, not only when a later report arrives. Three complaints are reported at 30 sent (the
 * relay holds every later message with 451 until they are recorded, so the report cannot come
 * later than that); no further report arrives, and the campaign stops itself at 200 sent.
 */
describe("zmailcloud: the send guard counts complaints reported before the sample", () => {
  let t: TestApp;
  let sink: SmtpSink;
  let admin: string;
  let reported = false;
  beforeAll(async () => {
    sink = await startSmtpSink({ refuse: (n) => (!reported && n >= EARLY ? 451 : null) });
    t = await buildTestApp({
      company: "zmailcloud",
      env: {
        PLEDGE_SMTP_URL: sink.url,
        PLEDGE_MAIL_FROM: "news@zmailcloud.test",
        PLEDGE_SMTP_POOL: "2",
        PLEDGE_WEBHOOK_SECRET: SECRET,
      },
    });
    admin = await t.apiKey("admin");
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  const req = (method: "GET" | "POST", url: string, body?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${admin}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
  const view = async (id: string) => (await req("GET", `/v1/campaigns/${id}`)).json() as View;

  it("ZM-10: 3 complaints at 30 sent stop the campaign once 200 are sent; the rest is never sent", async () => {
    for (let i = 0; i < PEOPLE; i++) {
      const res = await req("POST", "/v1/subjects", {
        status: "customer",
        purpose: "essential.service.provision_billing",
        collectionPoint: "web.signup",
        birthDate: "1980-04-02",
        jurisdiction: "US",
        fields: { first_name: "Ada", email: `zm10-sample-${i}@example.com` },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const created = await req("POST", "/v1/campaigns", {
      name: "offers",
      purpose: "marketing.communications",
      messageClass: "marketing",
      channel: "email",
      subjectLine: "New services",
      text: "Our new services.",
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = (created.json() as { id: string }).id;
    expect((await req("POST", `/v1/campaigns/${id}/send`)).statusCode).toBe(202);

    await until(`${EARLY} messages sent`, async () => (await view(id)).messages.sent === EARLY);
    const at = new Date().toISOString();
    const complaints = sink.messages
      .filter((m) => !containsCardNumber(`<${m.messageId as string}>`))
      .slice(0, 3)
      .map((m) => ({ messageId: `<${m.messageId as string}>`, kind: "complaint", at }));
    expect(complaints).toHaveLength(3);
    const body = JSON.stringify(complaints);
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/webhooks/deliverability",
      headers: { "content-type": "application/json", "x-pledge-signature": signBody(SECRET, body) },
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(200);
    // Under the sample: recorded, and the campaign goes on.
    expect(res.json()).toMatchObject({ recorded: 3, campaigns: [{ campaignId: id, status: "sending" }] });
    reported = true;

    const final = await until("the campaign to stop with nothing being sent", async () => {
      const v = await view(id);
      return v.status !== "sending" && (v.messages.sending ?? 0) === 0 ? v : null;
    });
    expect(final).toMatchObject({
      status: "stopped",
      stoppedReason: "complaint_rate_exceeded",
      stoppedClause: "ZM-10",
    });
    // It stops at the sample: 200 sent, plus at most the messages the pool had already claimed.
    expect(final.messages.sent).toBeGreaterThanOrEqual(200);
    expect(final.messages.sent).toBeLessThan(PEOPLE);
    expect(final.messages.queued).toBeGreaterThan(0);
    expect(sink.messages.length).toBe(final.messages.sent);
  });
});
