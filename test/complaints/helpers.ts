import type { LightMyRequestResponse } from "fastify";
import { buildTestApp, type TestApp } from "../harness/app.ts";

export const HOOK_SECRET = "a-privacy-mailbox-hook-secret-of-32-chars";

export interface ComplaintFixture {
  readonly t: TestApp;
  readonly admin: string;
  /** Sends a message to the privacy mailbox through the inbound-mail hook. */
  inbound(message: {
    from: string;
    subject: string;
    text: string;
    receivedAt?: string;
  }): Promise<LightMyRequestResponse>;
  req(
    method: "GET" | "POST" | "PATCH",
    url: string,
    opts?: { key?: string; payload?: unknown; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  /** A zmailcloud customer with this email; returns the subject id. */
  subject(email: string): Promise<string>;
  /** The audit rows about one complaint, in order. */
  /** The complaint's audit events: its request's (`request.*`) and its reads (`complaint.read`). */
  auditOf(complaintId: string): Promise<{ type: string; actor: string; payload: Record<string, unknown> }[]>;
}

export async function complaintFixture(): Promise<ComplaintFixture> {
  const t = await buildTestApp({ company: "zmailcloud", env: { PLEDGE_WEBHOOK_SECRET: HOOK_SECRET } });
  const admin = await t.apiKey("admin");
  const req: ComplaintFixture["req"] = (method, url, opts = {}) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${opts.key ?? admin}`, ...opts.headers },
      ...(opts.payload === undefined ? {} : { payload: opts.payload as object }),
    });
  return {
    t,
    admin,
    req,
    inbound: (message) =>
      t.app.inject({
        method: "POST",
        url: "/v1/privacy-complaints/inbound",
        headers: { "x-pledge-hook-secret": HOOK_SECRET },
        payload: message,
      }),
    async subject(email) {
      const res = await req("POST", "/v1/subjects", {
        payload: {
          status: "customer",
          purpose: "essential.service.provision_billing",
          collectionPoint: "web.signup",
          birthDate: "1980-04-02",
          jurisdiction: "US",
          fields: { first_name: "Ada", email },
        },
      });
      if (res.statusCode !== 201)
        throw new Error(`POST /v1/subjects answered ${res.statusCode}: ${res.body}`);
      return (res.json() as { id: string }).id;
    },
    async auditOf(complaintId) {
      const rows = await t.store.db
        .selectFrom("audit_log")
        .select(["type", "actor", "payload"])
        .where((eb) => eb.or([eb("type", "like", "complaint.%"), eb("type", "like", "request.%")]))
        .orderBy("seq")
        .execute();
      return rows
        .map((r) => ({ type: r.type, actor: r.actor, payload: r.payload as Record<string, unknown> }))
        .filter((r) => r.payload.complaintId === complaintId || r.payload.requestId === complaintId);
    },
  };
}
