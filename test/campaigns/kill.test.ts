import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MessageState } from "../../src/modules/campaigns/campaigns.table.ts";
import { startSmtpSink, type SmtpSink } from "../harness/smtp.ts";
import { servePledge, type ServedPledge } from "./serve.ts";

/**
 * Exactly one message per person even when the server is killed mid-send (kill -9) and started
 * again: a real `pledge serve` child process, a real SMTP server in this process.
 */
const PEOPLE = 300;
let sink: SmtpSink;
let pledge: ServedPledge;
let base: string;

/** The fields of the answers this test reads. */
type Answer = View & { id: string };

interface View {
  status: string;
  audienceSize: number;
  messages: Record<MessageState, number>;
  uncertain: { messageId: string; subjectId: string }[];
}

async function call(method: string, url: string, body?: unknown): Promise<{ status: number; json: Answer }> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${pledge.key}`,
      ...(body ? { "content-type": "application/json" } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Answer };
}

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  // Each DATA waits a little, so the kill lands while many messages are still to go.
  sink = await startSmtpSink({ delayMs: 15 });
  pledge = await servePledge({
    PLEDGE_SMTP_URL: sink.url,
    PLEDGE_MAIL_FROM: "news@pledge.test",
    PLEDGE_SMTP_POOL: "3",
  });
  base = await pledge.start();
}, 120_000);

afterAll(async () => {
  await pledge?.stop();
  await pledge?.cleanup();
  await sink?.close();
});

describe("kill -9 mid-send", () => {
  it(
    "sends nobody two messages, loses nobody: uncertain messages are settled by the relay's delivery reports, the rest resent",
    { timeout: 300_000 },
    async () => {
      const emails: string[] = [];
      for (let i = 0; i < PEOPLE; i += 20) {
        await Promise.all(
          Array.from({ length: Math.min(20, PEOPLE - i) }, async (_, j) => {
            const email = `kill${i + j}@example.com`;
            const res = await call("POST", "/v1/subjects", {
              status: "customer",
              purpose: "essential.service.order_fulfilment",
              collectionPoint: "web.signup",
              birthDate: "1980-04-02",
              jurisdiction: "US",
              fields: { first_name: "K", email },
            });
            expect(res.status).toBe(201);
            emails.push(email);
          }),
        );
      }
      const made = await call("POST", "/v1/campaigns", {
        name: "kill",
        purpose: "marketing.communications",
        messageClass: "marketing",
        channel: "email",
        subjectLine: "Offers",
        text: "Offers inside",
      });
      expect(made.status).toBe(201);
      const id = made.json.id as string;
      const sent = await call("POST", `/v1/campaigns/${id}/send`);
      expect(sent.status).toBe(202);
      expect(sent.json.audienceSize).toBe(PEOPLE);

      await until("some messages", async () => (sink.messages.length >= 40 ? true : null));
      pledge.kill();
      const atKill = sink.messages.length;
      expect(atKill).toBeLessThan(PEOPLE);

      base = await pledge.start();
      const view = await until("the campaign to finish", async () => {
        const v = (await call("GET", `/v1/campaigns/${id}`)).json as View;
        return v.status === "sending" ? null : v;
      });
      expect(view.status).toBe("sent");
      expect(sink.messages.length).toBeGreaterThan(atKill);

      // Nobody received two messages; every Message-ID arrived at most once.
      const to = sink.messages.flatMap((m) => m.envelope.to);
      expect(new Set(to).size).toBe(to.length);
      const ids = sink.messages.map((m) => m.messageId);
      expect(new Set(ids).size).toBe(ids.length);

      // Everybody received one, except the messages flagged uncertain (at most the ones in flight).
      const received = new Set(to);
      const missing = emails.filter((e) => !received.has(e));
      const { messages, uncertain } = view;
      expect(messages.queued + messages.sending + messages.failed + messages.skipped).toBe(0);
      expect(messages.uncertain).toBe(uncertain.length);
      expect(missing.length).toBeLessThanOrEqual(uncertain.length);
      // In flight at the kill: at most one message per send worker (PLEDGE_SMTP_POOL).
      expect(uncertain.length).toBeLessThanOrEqual(3);
      expect(messages.sent + messages.uncertain).toBe(PEOPLE);
      // The view's count of sent messages agrees with what the SMTP server saw: every message
      // recorded as sent arrived; what else arrived was an uncertain one.
      expect(sink.messages.length).toBeGreaterThanOrEqual(messages.sent);
      expect(sink.messages.length).toBeLessThanOrEqual(messages.sent + messages.uncertain);
      expect(PEOPLE - missing.length).toBe(sink.messages.length);

      // The relay reports what it delivered (as a provider's delivery webhook does): each report
      // settles an uncertain message it names as sent, so only the undelivered stay uncertain.
      for (const m of sink.messages) {
        const reported = await call("POST", `/v1/campaigns/${id}/events`, {
          messageId: m.messageId,
          kind: "delivered",
        });
        expect(reported.status).toBe(201);
      }
      const settled = (await call("GET", `/v1/campaigns/${id}`)).json as View;
      expect(settled.messages.uncertain).toBe(missing.length);
      expect(settled.messages.sent).toBe(PEOPLE - missing.length);
      // A staff decision sends the rest again: everybody has exactly one message, nobody two.
      const resent = await call("POST", `/v1/campaigns/${id}/resend-uncertain`);
      expect(resent.status).toBe(200);
      const after = await until("the resend", async () => {
        const v = (await call("GET", `/v1/campaigns/${id}`)).json as View;
        return v.status === "sending" ? null : v;
      });
      expect(after.messages.uncertain).toBe(0);
      expect(after.messages.sent).toBe(PEOPLE);
      const finalTo = sink.messages.flatMap((m) => m.envelope.to);
      expect(new Set(finalTo).size).toBe(finalTo.length);
      expect([...finalTo].sort()).toEqual([...emails].sort());
    },
  );
});
