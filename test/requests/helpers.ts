import type { LightMyRequestResponse } from "fastify";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { startSmtpSink, type ReceivedMessage, type SmtpSink } from "../harness/smtp.ts";
import { until } from "../harness/wait.ts";
import type { Vault } from "../../src/crypto/vault.types.ts";
import { ACCOUNT } from "../records/helpers.ts";

/**
 * Rights requests under the zones pack in force (2019-12-31: CCPA for US-CA, GDPR for the EU,
 * the EU routed to the infosec queue), with a clock the test moves and a real SMTP sink that
 * receives every notice.
 */
export interface RequestsFixture {
  readonly t: TestApp;
  readonly sink: SmtpSink;
  readonly admin: string;
  now: Date;
  req(
    method: "GET" | "POST" | "PUT" | "DELETE",
    url: string,
    opts?: { key?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  /** A customer with an email and a postal address (the zones identifying sets). */
  person(opts?: { jurisdiction?: string; lastName?: string; line1?: string }): Promise<Person>;
  /** The notices sent to `to`, waiting until there are at least `n`. */
  mail(to: string, n: number): Promise<ReceivedMessage[]>;
  /** The first notice to `to` whose subject line matches, waiting for it. */
  notice(to: string, subject: RegExp): Promise<ReceivedMessage>;
  /** Moves a request with the version it is at now. */
  move(id: string, body: Record<string, unknown>): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface Person {
  readonly id: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly address: { line1: string; city: string; region: string; postalCode: string; country: string };
}

let n = 0;
export const METRICS_TOKEN = "metrics-token-for-the-requests-test-0123456789";

export async function requestsFixture(
  start = "2026-03-02T17:00:00.000Z",
  company = "zones",
  vault?: Vault,
): Promise<RequestsFixture> {
  const sink = await startSmtpSink();
  const f = { now: new Date(start) } as { now: Date };
  const t = await buildTestApp({
    company,
    clock: () => f.now,
    ...(vault === undefined ? {} : { vault }),
    env: {
      PLEDGE_SMTP_URL: sink.url,
      PLEDGE_MAIL_FROM: "privacy@pledge.test",
      PLEDGE_PUBLIC_URL: "https://privacy.pledge.test",
      PLEDGE_METRICS_TOKEN: METRICS_TOKEN,
    },
  });
  const admin = await t.apiKey("admin");
  const req: RequestsFixture["req"] = (method, url, opts = {}) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${opts.key ?? admin}`, ...opts.headers },
      ...(opts.body === undefined ? {} : { payload: opts.body as object }),
    });
  return Object.assign(f, {
    t,
    sink,
    admin,
    req,
    async person(opts: { jurisdiction?: string; lastName?: string; line1?: string } = {}) {
      n += 1;
      const tag = `${n}${Math.random().toString(36).slice(2, 8)}`;
      const p = {
        firstName: "Grace",
        lastName: opts.lastName ?? `Hopper${tag}`,
        email: `grace.${tag}@example.com`,
        address: {
          line1: opts.line1 ?? `${n} Elm Street`,
          city: "Arlington",
          region: "VA",
          postalCode: "22201",
          country: "US",
        },
      };
      const res = await req("POST", "/v1/subjects", {
        body: {
          status: "customer",
          purpose: ACCOUNT[company],
          collectionPoint: "web.signup",
          birthDate: "1980-04-02",
          jurisdiction: opts.jurisdiction ?? "US-CA",
          fields: { first_name: p.firstName, last_name: p.lastName, email: p.email },
          addresses: [{ kind: "postal", ...p.address }],
        },
      });
      if (res.statusCode !== 201)
        throw new Error(`POST /v1/subjects answered ${res.statusCode}: ${res.body}`);
      return { id: (res.json() as { id: string }).id, ...p };
    },
    async mail(to: string, count: number) {
      return until(`${count} message(s) to the person`, () => {
        const got = sink.messages.filter((m) => m.envelope.to.includes(to));
        return got.length >= count ? got : null;
      });
    },
    async notice(to: string, subject: RegExp) {
      return until(
        `a notice matching ${subject.source}`,
        () => sink.messages.find((m) => m.envelope.to.includes(to) && subject.test(subjectLine(m))) ?? null,
      );
    },
    async move(id: string, body: Record<string, unknown>) {
      const current = await req("GET", `/v1/requests/${id}`);
      return req("POST", `/v1/requests/${id}/moves`, {
        body,
        headers: { "if-match": String(current.headers.etag) },
      });
    },
    async close() {
      await t.close();
      await sink.close();
    },
  }) as RequestsFixture;
}

/** The text of a message, its quoted-printable soft breaks and escapes undone. */
export function textOf(m: ReceivedMessage): string {
  const body = m.raw.slice(m.raw.indexOf("\r\n\r\n") + 4);
  return body
    .replace(/=\r\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

export function subjectLine(m: ReceivedMessage): string {
  return /^subject:\s*(.*)$/im.exec(m.raw)?.[1]?.trim() ?? "";
}

/** The path of the first link in a message under `prefix` (e.g. /requests/verify/). */
export function linkIn(m: ReceivedMessage, prefix: string): string {
  const match = new RegExp(
    `https://privacy\\.pledge\\.test(${prefix.replace(/\//g, "\\/")}[A-Za-z0-9_.-]+)`,
  ).exec(textOf(m));
  if (match === null) throw new Error(`no ${prefix} link in the message`);
  return match[1]!;
}
