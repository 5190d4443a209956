import type { LightMyRequestResponse } from "fastify";
import type { MessageState } from "../../src/modules/campaigns/campaigns.table.ts";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { until } from "../harness/wait.ts";
import { simpleParser } from "mailparser";
import { startSmtpSink, type ReceivedMessage, type SmtpSink, type SmtpSinkOptions } from "../harness/smtp.ts";

/** An app whose campaigns send to a real SMTP server on 127.0.0.1, with shorthands. */
export interface CampaignFixture {
  readonly t: TestApp;
  readonly sink: SmtpSink;
  readonly admin: string;
  req(method: "GET" | "POST", url: string, body?: unknown, key?: string): Promise<LightMyRequestResponse>;
  /** A customer with this email address; returns the subject id. */
  person(email: string, opts?: { status?: string; purpose?: string }): Promise<string>;
  consent(
    subjectId: string,
    targetKind: string,
    target: string,
    action: string,
    channel?: string,
  ): Promise<void>;
  campaign(body: Record<string, unknown>): Promise<string>;
  /** Waits until the campaign leaves `sending`; returns its view. */
  finished(campaignId: string, timeoutMs?: number): Promise<CampaignJson>;
  close(): Promise<void>;
}

export interface CampaignJson {
  id: string;
  status: string;
  audienceSize: number | null;
  messages: Record<MessageState, number>;
  uncertain: { messageId: string; subjectId: string }[];
}

export const ACCOUNT: Record<string, string> = {
  zones: "essential.service.account",
  zzservers: "essential.service.provisioning",
  zmailcloud: "essential.service.provision_billing",
  partstore: "essential.service.order_fulfilment",
};

export async function campaignFixture(
  company: string,
  sinkOptions: SmtpSinkOptions = {},
): Promise<CampaignFixture> {
  const sink = await startSmtpSink(sinkOptions);
  const t = await buildTestApp({
    company,
    env: { PLEDGE_SMTP_URL: sink.url, PLEDGE_MAIL_FROM: "news@pledge.test", PLEDGE_SMTP_POOL: "2" },
  });
  const admin = await t.apiKey("admin");
  const req: CampaignFixture["req"] = (method, url, body, key = admin) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
  const expect2xx = (res: LightMyRequestResponse, what: string) => {
    if (res.statusCode >= 300) throw new Error(`${what} answered ${res.statusCode}: ${res.body}`);
    return res;
  };
  return {
    t,
    sink,
    admin,
    req,
    async person(email, opts = {}) {
      const res = await req("POST", "/v1/subjects", {
        status: opts.status ?? "customer",
        purpose: opts.purpose ?? ACCOUNT[company],
        collectionPoint: "web.signup",
        birthDate: "1980-04-02",
        jurisdiction: "US",
        fields: { first_name: "Ada", email },
      });
      return (expect2xx(res, "POST /v1/subjects").json() as { id: string }).id;
    },
    async consent(subjectId, targetKind, target, action, channel = "") {
      const res = await req("POST", `/v1/subjects/${subjectId}/consents`, {
        purpose: ACCOUNT[company],
        targetKind,
        target,
        action,
        channel,
        source: "staff",
      });
      expect2xx(res, "POST consents");
    },
    async campaign(body) {
      const res = await req("POST", "/v1/campaigns", { name: "test", text: "Hello", ...body });
      return (expect2xx(res, "POST /v1/campaigns").json() as { id: string }).id;
    },
    async finished(campaignId, timeoutMs = 60_000) {
      return until(
        `campaign ${campaignId} to leave sending`,
        async () => {
          const view = (await req("GET", `/v1/campaigns/${campaignId}`)).json() as CampaignJson;
          return view.status === "sending" ? null : view;
        },
        { timeoutMs, everyMs: 100 },
      );
    },
    // The send queue's `pgboss_<schema>` beside a PostgreSQL test schema goes with it, when the
    // run ends (test/harness/global-setup.ts): dropping a schema mid-run breaks other files.
    async close() {
      await t.close();
      await sink.close();
    },
  };
}

/** The recipient addresses of what the sink received. */
export function recipients(sink: SmtpSink): string[] {
  return sink.messages.flatMap((m) => m.envelope.to);
}

/** A header of a raw message (unfolded), or null. */
export function header(raw: string, name: string): string | null {
  const head = raw.slice(0, raw.indexOf("\r\n\r\n")).replace(/\r\n[ \t]+/g, " ");
  const match = new RegExp(`^${name}:\\s*(.*)$`, "im").exec(head);
  return match?.[1]?.trim() ?? null;
}

/** Creates and sends a campaign, waits for it to finish; returns its view and who received it. */
export async function sendAndCollect(
  f: CampaignFixture,
  body: Record<string, unknown>,
): Promise<{ view: CampaignJson; to: string[] }> {
  const id = await f.campaign({ name: "conformance", subjectLine: "Hello", ...body });
  const before = f.sink.messages.length;
  const res = await f.req("POST", `/v1/campaigns/${id}/send`);
  if (res.statusCode !== 202) throw new Error(`send answered ${res.statusCode}: ${res.body}`);
  const view = await f.finished(id);
  return { view, to: f.sink.messages.slice(before).flatMap((m) => m.envelope.to) };
}

/** A received message read by an independent parser (mailparser): its two bodies and its headers. */
export interface ParsedMail {
  readonly text: string;
  /** The HTML part, or null when the message has none. */
  readonly html: string | null;
  /** The http(s) URI of List-Unsubscribe, or null when the header is absent. */
  readonly unsubscribeUrl: string | null;
  readonly listUnsubscribePost: string | null;
}

export async function parseMail(m: ReceivedMessage): Promise<ParsedMail> {
  const mail = await simpleParser(m.raw);
  const list = header(m.raw, "List-Unsubscribe");
  return {
    text: mail.text ?? "",
    html: mail.html === false ? null : (mail.html ?? null),
    unsubscribeUrl: list === null ? null : (/<(https?:[^>]+)>/.exec(list)?.[1] ?? null),
    listUnsubscribePost: header(m.raw, "List-Unsubscribe-Post"),
  };
}

/** The one message the sink received for this address (fails when there is not exactly one). */
export function messageTo(sink: SmtpSink, address: string, from = 0): ReceivedMessage {
  const got = sink.messages.slice(from).filter((m) => m.envelope.to.includes(address));
  if (got.length !== 1) throw new Error(`expected one message to the address, got ${got.length}`);
  return got[0] as ReceivedMessage;
}
