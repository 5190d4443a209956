import { ACCOUNT } from "../harness/purposes.ts";
import path from "node:path";
import type { LightMyRequestResponse } from "fastify";
import { compilePolicy } from "../../src/gate/compile.ts";
import { compileAudience } from "../../src/gate/sql.ts";
import { selectAudience } from "../../src/use/audience.ts";
import { inForce, loadPolicyHistory } from "../../src/policy/history.ts";
import { buildTestApp, POLICIES_DIR, type TestApp } from "../harness/app.ts";

/** A zones app, staff keys, and shorthands for subjects, consents, audiences and removal requests. */
export interface RemovalFixture {
  readonly t: TestApp;
  readonly admin: string;
  readonly cs: string;
  readonly infosec: string;
  req(
    method: "GET" | "POST",
    url: string,
    opts?: { key?: string; body?: unknown },
  ): Promise<LightMyRequestResponse>;
  /** A customer with a postal address; returns the id and the values used. */
  person(opts?: { jurisdiction?: string; email?: string }): Promise<Person>;
  /** Opts the person in to marketing email. */
  optIn(id: string): Promise<void>;
  /** The ids in the marketing audience of a channel (email or postal), from the gate's SQL form. */
  audience(channel: "email" | "postal"): Promise<string[]>;
  remove(body: Record<string, unknown>, key?: string): Promise<LightMyRequestResponse>;
}

export interface Person {
  readonly id: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string;
  readonly address: { line1: string; city: string; region: string; postalCode: string; country: string };
}

let n = 0;

export async function removalFixture(clock: () => Date = () => new Date()): Promise<RemovalFixture> {
  const t = await buildTestApp({ company: "zones", clock });
  const admin = await t.apiKey("admin");
  const cs = await t.apiKey("customer_service");
  const infosec = await t.apiKey("infosec").catch(() => "");
  const req: RemovalFixture["req"] = (method, url, opts = {}) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${opts.key ?? admin}` },
      ...(opts.body === undefined ? {} : { payload: opts.body as object }),
    });
  const history = await loadPolicyHistory(path.join(POLICIES_DIR, "zones"));
  return {
    t,
    admin,
    cs,
    infosec,
    req,
    async person(opts = {}) {
      n += 1;
      const tag = `${n}${Math.random().toString(36).slice(2, 8)}`;
      const p = {
        firstName: "Grace",
        lastName: `Hopper${tag}`,
        email: opts.email ?? `grace.${tag}@example.com`,
        address: {
          line1: `${n} Elm Street`,
          city: "Arlington",
          region: "VA",
          postalCode: "22201",
          country: "US",
        },
      };
      const res = await req("POST", "/v1/subjects", {
        body: {
          status: "customer",
          purpose: "essential.service.account",
          collectionPoint: "web.signup",
          birthDate: "1980-04-02",
          jurisdiction: opts.jurisdiction ?? "US",
          fields: { first_name: p.firstName, last_name: p.lastName, email: p.email },
          addresses: [{ kind: "postal", ...p.address }],
        },
      });
      if (res.statusCode !== 201)
        throw new Error(`POST /v1/subjects answered ${res.statusCode}: ${res.body}`);
      return { id: (res.json() as { id: string }).id, ...p };
    },
    async optIn(id) {
      const res = await req("POST", `/v1/subjects/${id}/consents`, {
        body: {
          purpose: ACCOUNT.zones,
          targetKind: "purpose",
          target: "marketing.communications.email",
          channel: "email",
          action: "granted",
          source: "web",
        },
      });
      if (res.statusCode >= 300) throw new Error(`consent answered ${res.statusCode}: ${res.body}`);
    },
    async audience(channel) {
      const at = clock().toISOString();
      const pack = inForce(history, at);
      const use = {
        action: "send" as const,
        purpose: `marketing.communications.${channel}`,
        actor: { kind: "system" as const, id: "test" },
        fields: [channel === "email" ? "email" : "postal_address"],
        channel,
        messageClass: "marketing" as const,
        at,
      };
      const facts = { actorAttested: true, recipientContractOnFile: null, deploymentRegion: "us" };
      return selectAudience(t.store.db, compileAudience(compilePolicy(pack), facts, use));
    },
    remove(body, key) {
      return req("POST", "/v1/removal-requests", { key: key ?? cs, body });
    },
  };
}
