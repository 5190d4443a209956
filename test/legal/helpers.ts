import type { LightMyRequestResponse } from "fastify";
import type { RecordsFixture } from "../records/helpers.ts";

/** Shorthands for the register of legal requests, over any fixture's `req`. */
type Req = (
  method: "GET" | "POST",
  url: string,
  opts?: { key?: string; body?: unknown },
) => Promise<LightMyRequestResponse>;

export interface LegalApi {
  register(key: string, body: Record<string, unknown>): Promise<LightMyRequestResponse>;
  approve(key: string, id: string): Promise<LightMyRequestResponse>;
  produce(key: string, id: string, body?: Record<string, unknown>): Promise<LightMyRequestResponse>;
  /** Registers by `receiver` and approves by each of `approvers`; returns the request id. */
  approved(receiver: string, approvers: readonly string[], body: Record<string, unknown>): Promise<string>;
}

export function legalApi(req: Req): LegalApi {
  const api: LegalApi = {
    register: (key, body) => req("POST", "/v1/legal/requests", { key, body }),
    approve: (key, id) => req("POST", `/v1/legal/requests/${id}/approvals`, { key }),
    produce: (key, id, body = {}) => req("POST", `/v1/legal/requests/${id}/production`, { key, body }),
    async approved(receiver, approvers, body) {
      const res = await api.register(receiver, body);
      if (res.statusCode !== 201) throw new Error(`registering answered ${res.statusCode}: ${res.body}`);
      const id = (res.json() as { id: string }).id;
      for (const a of approvers) {
        const ok = await api.approve(a, id);
        if (ok.statusCode !== 200) throw new Error(`approving answered ${ok.statusCode}: ${ok.body}`);
      }
      return id;
    },
  };
  return api;
}

/** A request as an authority sends it, to complete with subjects, fields and ground. */
export const SUBPOENA = {
  authority: "Arlington County Police",
  country: "US",
  instrument: "subpoena",
  reference: "ACPD-2026-0042",
};

/** The disclosure-ledger rows that name a person. */
export const ledgerOf = (f: Pick<RecordsFixture, "t">, subjectId: string) =>
  f.t.store.db
    .selectFrom("disclosure_subjects as s")
    .innerJoin("disclosures as d", "d.disclosure_id", "s.disclosure_id")
    .select(["d.recipient_id", "d.ground", "d.fields", "d.policy_version"])
    .where("s.subject_id", "=", subjectId)
    .execute();
