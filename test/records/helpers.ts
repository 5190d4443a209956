import type { LightMyRequestResponse } from "fastify";
import { buildTestApp, type TestApp } from "../harness/app.ts";

/** A test app for one company with shorthands for a subject's records. */
export interface RecordsFixture {
  readonly t: TestApp;
  readonly admin: string;
  req(
    method: "GET" | "POST" | "PATCH" | "DELETE",
    url: string,
    opts?: { key?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  /** Creates a customer and returns its id. */
  subject(fields?: Record<string, string>): Promise<string>;
  /** The audit rows about a subject (or about nobody: null), oldest first. */
  auditOf(subjectId: string | null): Promise<{ type: string; payload: Record<string, unknown> }[]>;
}

/** The purpose each pack creates its customers under. */
export const ACCOUNT: Record<string, string> = {
  zones: "essential.service.account",
  zzservers: "essential.service.provisioning",
  zmailcloud: "essential.service.provision_billing",
  partstore: "essential.service.order_fulfilment",
};

let emails = 0;

export async function recordsFixture(company: string, clock?: () => Date): Promise<RecordsFixture> {
  const t = await buildTestApp({ company, ...(clock ? { clock } : {}) });
  const admin = await t.apiKey("admin");
  const req: RecordsFixture["req"] = (method, url, opts = {}) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${opts.key ?? admin}`, ...opts.headers },
      ...(opts.body === undefined ? {} : { payload: opts.body as object }),
    });
  return {
    t,
    admin,
    req,
    async subject(fields = {}) {
      emails += 1;
      const res = await req("POST", "/v1/subjects", {
        body: {
          status: "customer",
          purpose: ACCOUNT[company],
          collectionPoint: "web.signup",
          birthDate: "1980-04-02",
          jurisdiction: "US",
          fields: { first_name: "Ada", last_name: "Lovelace", email: `ada${emails}@example.com`, ...fields },
        },
      });
      if (res.statusCode !== 201)
        throw new Error(`creating a subject answered ${res.statusCode}: ${res.body}`);
      return (res.json() as { id: string }).id;
    },
    async auditOf(subjectId) {
      let q = t.store.db.selectFrom("audit_log").select(["type", "payload"]).orderBy("seq");
      q = subjectId === null ? q.where("subject_id", "is", null) : q.where("subject_id", "=", subjectId);
      return (await q.execute()) as { type: string; payload: Record<string, unknown> }[];
    },
  };
}
