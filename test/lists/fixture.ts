import type { LightMyRequestResponse } from "fastify";
import { buildTestApp, type TestApp } from "../harness/app.ts";

/**
 * A test app for one company with an admin key, and shorthands for the list and deliverability
 * tests: customers with names, emails, phones and postal addresses; a recipient's contract on
 * file; a campaign created and sent through `/v1/campaigns` (its outbox drawn, status `sending`).
 */
export interface ListFixture {
  readonly t: TestApp;
  readonly admin: string;
  req(
    method: "GET" | "POST" | "PUT",
    url: string,
    body?: unknown,
    key?: string,
  ): Promise<LightMyRequestResponse>;
  /** A new customer; `postal: false` leaves out the postal address. Returns its id. */
  customer(opts?: {
    email?: string;
    phone?: string | null;
    postal?: boolean;
    last?: string;
  }): Promise<string>;
  /** Records a consent event for the customer (a `catalogues` opt-out, a withdrawn purpose…). */
  consent(subjectId: string, body: Record<string, unknown>): Promise<void>;
  /** Puts the recipient's contract on file (signed yesterday, no expiry), or takes it off. */
  contract(recipientId: string, onFile?: boolean): Promise<void>;
  /** Creates a campaign (a draft); returns its id. */
  draft(input: CampaignSpec): Promise<string>;
  /** Creates and sends a campaign; returns its id once its outbox is drawn. */
  sending(input: CampaignSpec): Promise<string>;
  /** Outbox rows of a campaign: subject id, state, last error. */
  outbox(
    campaignId: string,
  ): Promise<{ subject_id: string; message_id: string; state: string; last_error: string | null }[]>;
  campaign(
    campaignId: string,
  ): Promise<{ status: string; stopped_reason: string | null; stopped_clause: string | null }>;
}

export interface CampaignSpec {
  readonly purpose: string;
  readonly channel: "email" | "postal" | "catalogue" | "phone";
  readonly messageClass?: string;
  readonly topic?: string;
  readonly recipient?: string;
}

const ACCOUNT: Record<string, string> = {
  zones: "essential.service.account",
  zzservers: "essential.service.provisioning",
  zmailcloud: "essential.service.provision_billing",
  partstore: "essential.service.order_fulfilment",
};

let serial = 0;

export async function listFixture(company: string, env: Record<string, string> = {}): Promise<ListFixture> {
  const t = await buildTestApp({ company, env });
  const admin = await t.apiKey("admin");
  const req: ListFixture["req"] = (method, url, body, key = admin) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
  const must = (res: LightMyRequestResponse, status: number, what: string) => {
    if (res.statusCode !== status) throw new Error(`${what} answered ${res.statusCode}: ${res.body}`);
    return res.json() as Record<string, unknown>;
  };
  const draft = async (spec: CampaignSpec): Promise<string> => {
    const res = await req("POST", "/v1/campaigns", {
      name: `test ${spec.channel} ${++serial}`,
      purpose: spec.purpose,
      messageClass: spec.messageClass ?? "marketing",
      channel: spec.channel,
      text: "Our new season's offers.",
      ...(spec.channel === "email" ? { subjectLine: "Offers" } : {}),
      ...(spec.topic === undefined ? {} : { topic: spec.topic }),
      ...(spec.recipient === undefined ? {} : { recipient: spec.recipient }),
    });
    return must(res, 201, "POST /v1/campaigns").id as string;
  };
  return {
    t,
    admin,
    req,
    async customer(opts = {}) {
      const n = ++serial;
      const phone = opts.phone ?? null;
      const res = await req("POST", "/v1/subjects", {
        status: "customer",
        purpose: ACCOUNT[company],
        collectionPoint: "web.signup",
        birthDate: "1980-04-02",
        jurisdiction: "US",
        fields: {
          first_name: "Ada",
          last_name: opts.last ?? `Person${n}`,
          email: opts.email ?? `list${n}-${Math.random().toString(36).slice(2, 8)}@example.com`,
          ...(phone === null ? {} : { phone }),
        },
        ...(opts.postal === false
          ? {}
          : {
              addresses: [
                {
                  kind: "postal",
                  line1: `${n} Main Street`,
                  city: "Springfield",
                  region: "IL",
                  postalCode: "62701",
                  country: "US",
                },
              ],
            }),
      });
      return must(res, 201, "POST /v1/subjects").id as string;
    },
    async consent(subjectId, body) {
      must(
        await req("POST", `/v1/subjects/${subjectId}/consents`, {
          purpose: ACCOUNT[company],
          source: "staff",
          ...body,
        }),
        201,
        "POST consents",
      );
    },
    async contract(recipientId, onFile = true) {
      const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
      const res = await req("PUT", `/v1/recipients/${recipientId}`, {
        legalName: `${recipientId} Ltd`,
        address: "1 Industrial Way, Springfield, IL 62701, US",
        contractRef: onFile ? `C-${recipientId}` : null,
        ...(onFile ? { contractSignedOn: yesterday } : {}),
      });
      must(res, 200, `PUT /v1/recipients/${recipientId}`);
    },
    draft,
    async sending(spec) {
      const id = await draft(spec);
      must(await req("POST", `/v1/campaigns/${id}/send`), 202, "POST /v1/campaigns/:id/send");
      return id;
    },
    async outbox(campaignId) {
      return t.store.db
        .selectFrom("campaign_messages")
        .select(["subject_id", "message_id", "state", "last_error"])
        .where("campaign_id", "=", campaignId)
        .orderBy("subject_id")
        .execute();
    },
    async campaign(campaignId) {
      return t.store.db
        .selectFrom("campaigns")
        .select(["status", "stopped_reason", "stopped_clause"])
        .where("campaign_id", "=", campaignId)
        .executeTakeFirstOrThrow();
    },
  };
}

/** Parses an RFC 4180 CSV body (as Pledge writes it) into rows of cells. */
export function parseCsv(body: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" && body[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += ch;
  }
  if (cell !== "" || row.length > 0) rows.push([...row, cell]);
  return rows;
}
