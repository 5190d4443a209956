import type { LightMyRequestResponse } from "fastify";
import { buildTestApp, type TestApp } from "../harness/app.ts";

/** A test app for one company with a movable clock, an admin key and shorthands for the disclosure routes. */
export interface DisclosureFixture {
  readonly t: TestApp;
  readonly admin: string;
  /** Moves the app's clock. */
  at(instant: string): void;
  req(
    method: "GET" | "POST" | "PUT" | "DELETE",
    url: string,
    body?: unknown,
    key?: string,
  ): Promise<LightMyRequestResponse>;
  /** A customer with a name, an email and a postal address; returns its id. */
  subject(fields?: Record<string, string>, line1?: string): Promise<string>;
  /** Records a signed contract for a recipient. */
  contract(recipient: string, legalName?: string, address?: string): Promise<void>;
  consent(subjectId: string, targetKind: string, target: string, action?: string): Promise<void>;
  ledger(): Promise<
    {
      disclosure_id: string;
      recipient_id: string;
      kind: string;
      fields: string[];
      subject_count: number;
      purpose: string;
    }[]
  >;
  ledgerSubjects(disclosureId: string): Promise<string[]>;
}

const ACCOUNT: Record<string, string> = {
  zones: "essential.service.account",
  zzservers: "essential.service.provisioning",
  zmailcloud: "essential.service.provision_billing",
  partstore: "essential.service.order_fulfilment",
};

export async function disclosureFixture(company: string, start: string): Promise<DisclosureFixture> {
  let now = new Date(start);
  const t = await buildTestApp({ company, clock: () => now });
  const admin = await t.apiKey("admin");
  const req: DisclosureFixture["req"] = (method, url, body, key = admin) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
  let n = 0;
  return {
    t,
    admin,
    req,
    at(instant) {
      now = new Date(instant);
    },
    async subject(fields = {}, line1) {
      n += 1;
      const res = await req("POST", "/v1/subjects", {
        status: "customer",
        purpose: ACCOUNT[company],
        collectionPoint: "web.signup",
        birthDate: "1980-04-02",
        jurisdiction: "US-CA",
        fields: {
          first_name: "Ada",
          last_name: `Lovelace${n}`,
          email: `ada${n}.${Math.random().toString(36).slice(2)}@example.com`,
          ...fields,
        },
        addresses: [
          {
            kind: "postal",
            line1: line1 ?? `${n} Main St`,
            city: "Springfield",
            region: "IL",
            postalCode: "62701",
            country: "US",
          },
        ],
      });
      if (res.statusCode !== 201)
        throw new Error(`POST /v1/subjects answered ${res.statusCode}: ${res.body}`);
      return (res.json() as { id: string }).id;
    },
    async contract(
      recipient,
      legalName = `${recipient} Inc.`,
      address = "1 Market St, San Francisco, CA 94105, US",
    ) {
      const res = await req("PUT", `/v1/recipients/${recipient}`, {
        legalName,
        address,
        contractRef: `C-${recipient}`,
        contractSignedOn: "2000-01-01",
      });
      if (res.statusCode !== 200)
        throw new Error(`PUT /v1/recipients answered ${res.statusCode}: ${res.body}`);
    },
    async consent(subjectId, targetKind, target, action = "granted") {
      const res = await req("POST", `/v1/subjects/${subjectId}/consents`, {
        purpose: ACCOUNT[company],
        targetKind,
        target,
        action,
        source: "web",
      });
      if (res.statusCode !== 201) throw new Error(`consent answered ${res.statusCode}: ${res.body}`);
    },
    async ledger() {
      return t.store.db
        .selectFrom("disclosures")
        .select(["disclosure_id", "recipient_id", "kind", "fields", "subject_count", "purpose"])
        .orderBy("at")
        .execute();
    },
    async ledgerSubjects(disclosureId) {
      const rows = await t.store.db
        .selectFrom("disclosure_subjects")
        .select("subject_id")
        .where("disclosure_id", "=", disclosureId)
        .orderBy("subject_id")
        .execute();
      return rows.map((r) => r.subject_id);
    },
  };
}

/** Parses RFC 4180 CSV (quoted cells, doubled quotes, CRLF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) rows.push([...row, cell]);
  return rows;
}
