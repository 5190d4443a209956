import type { LightMyRequestResponse } from "fastify";
import type { Decision } from "../../src/gate/types.ts";
import { buildTestApp, type TestApp } from "../harness/app.ts";

/**
 * A test app for one company with an admin key, and shorthands for the routes the consent and
 * Do Not Send tests use: create a subject, call a route, ask the gate about a stored subject.
 */
export interface Fixture {
  readonly t: TestApp;
  readonly admin: string;
  /** The purpose staff act under on a customer's account in this pack. */
  readonly purpose: string;
  req(
    method: "GET" | "POST" | "DELETE",
    url: string,
    body?: unknown,
    key?: string,
  ): Promise<LightMyRequestResponse>;
  /** A new customer with these contact fields; returns its id. */
  subject(fields?: Record<string, string>): Promise<string>;
  /** POST /v1/decisions for a stored subject. */
  decide(
    subjectId: string,
    use: Record<string, unknown>,
    facts?: { recipientContractOnFile: boolean },
  ): Promise<Decision>;
  /** Rows in a table. */
  count(
    table:
      | "consent_events"
      | "subject_consents"
      | "subject_opt_outs"
      | "subject_permissions"
      | "audit_log"
      | "suppression_list",
  ): Promise<number>;
}

const ACCOUNT: Record<string, string> = {
  zones: "essential.service.account",
  zzservers: "essential.service.provisioning",
  zmailcloud: "essential.service.provision_billing",
  partstore: "essential.service.order_fulfilment",
};

export async function fixture(company: string, clock?: () => Date): Promise<Fixture> {
  const t = await buildTestApp({ company, ...(clock ? { clock } : {}) });
  const admin = await t.apiKey("admin");
  const req: Fixture["req"] = (method, url, body, key = admin) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
  return {
    t,
    admin,
    purpose: ACCOUNT[company] ?? "",
    req,
    async subject(fields = { email: `p${Math.random().toString(36).slice(2)}@example.com` }) {
      const res = await req("POST", "/v1/subjects", {
        status: "customer",
        purpose: ACCOUNT[company],
        collectionPoint: "web.signup",
        birthDate: "1980-04-02",
        jurisdiction: "US",
        fields: { first_name: "Ada", ...fields },
      });
      if (res.statusCode !== 201)
        throw new Error(`POST /v1/subjects answered ${res.statusCode}: ${res.body}`);
      return (res.json() as { id: string }).id;
    },
    async decide(subjectId, use, facts) {
      const res = await req("POST", "/v1/decisions", { use, subjectId, ...(facts ? { facts } : {}) });
      if (res.statusCode !== 200)
        throw new Error(`POST /v1/decisions answered ${res.statusCode}: ${res.body}`);
      return (res.json() as { decision: Decision }).decision;
    },
    async count(table) {
      const row = await t.store.db
        .selectFrom(table)
        .select((eb) => eb.cast<number>(eb.fn.countAll(), "integer").as("n"))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

/** Marketing by one channel under a purpose (and a topic). */
export const marketing = (purpose: string, channel: string, topic?: string) => ({
  action: "send",
  purpose,
  channel,
  messageClass: "marketing",
  fields: [channel === "email" ? "email" : channel === "phone" ? "phone" : "postal_address"],
  ...(topic === undefined ? {} : { topic }),
});
