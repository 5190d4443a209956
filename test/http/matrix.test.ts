import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compilePolicy } from "../../src/gate/compile.ts";
import { decide } from "../../src/gate/decide.ts";
import type { Action, Actor, SubjectFacts } from "../../src/gate/types.ts";
import type { DeclaredRoute, RouteUse } from "../../src/http/route-use.ts";
import type { PolicyPack } from "../../src/policy/schema.ts";
import { ADMIN_ROLE } from "../../src/use/acting.ts";
import { loadSubjectFacts } from "../../src/use/facts.ts";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { MARKER_FIELD, MARKERS, SAMPLES, type Sample } from "./matrix/samples.ts";
import { seed, type Seeded } from "./matrix/seed.ts";
import { appendedSince, auditMark, type AuditMark } from "../harness/audit-mark.ts";

/**
 * Every route × every credential × every purpose, generated from the app's own route table
 * (`app.routeUses`, filled as routes register with their declared use):
 *
 * - a route the sample table does not know fails (a new route is covered the day it is added);
 * - no answer is a 5xx;
 * - callers are who the declaration says: no key, a revoked or made-up key, a customer's session
 *   on a staff route, a staff key on a customer's route are all turned away (401), a role the
 *   declaration does not list is 403;
 * - nothing comes back beyond what the gate allows: customer A's record is filled with markers,
 *   and every marker found in an answer must be a value of a field the gate allows for that
 *   route's declared action, that purpose, that caller and A's facts, asked of the pure gate
 *   here; a route declared not personal returns none at all;
 * - staff without an attestation get nothing personal where the pack needs one (ZZ-04);
 * - a 2xx of a route whose purpose comes from the caller left the audited decision of its
 *   declared action;
 * - A's session aimed at B's ids reaches nothing of B's.
 */
const PACKS = ["partstore", "zzservers", "zmailcloud", "zones"] as const;
const UNKNOWN_PURPOSE = "x.unknown.purpose";

interface Credential {
  readonly name: string;
  readonly headers: Record<string, string>;
  readonly kind: "none" | "bad-key" | "staff" | "customer";
  readonly role?: string;
  readonly attested?: boolean;
}

const checked: { pack: string; requests: number; failures: string[] }[] = [];

describe.each(PACKS)("the route matrix: %s", (company) => {
  let t: TestApp;
  let s: Seeded;
  let pack: PolicyPack;
  let routes: DeclaredRoute[];
  let credentials: Credential[];

  beforeAll(async () => {
    t = await buildTestApp({
      company,
      env: {
        PLEDGE_WEBHOOK_SECRET: "matrix-webhook-secret-of-enough-length-0123",
        // The Data Rights Protocol routes are served only with a business id.
        PLEDGE_DRP_BUSINESS_ID: "MATRIX_BUSINESS",
      },
      // Every route meets bad keys from this one address: more than the per-source limit of
      // failed keys, which test/http/key-failures.test.ts holds to account.
      apiKeyFailures: { capacity: 1_000_000, perMs: 60_000 },
    });
    pack = t.pack();
    s = await seed(t);
    routes = t.app.routeUses.filter((r) => r.method !== "HEAD");
    const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
    credentials = [
      { name: "no key", headers: {}, kind: "none" },
      { name: "revoked key", headers: bearer(s.revoked), kind: "bad-key" },
      { name: "made-up key", headers: bearer(`pk_abcdef123456_${"x".repeat(43)}`), kind: "bad-key" },
      { name: "customer A", headers: s.customer, kind: "customer" },
      { name: "admin", headers: bearer(s.admin), kind: "staff", role: ADMIN_ROLE, attested: true },
      {
        name: "admin unattested",
        headers: bearer(await t.apiKey("admin", { attested: false })),
        kind: "staff",
        role: ADMIN_ROLE,
        attested: false,
      },
    ];
    for (const role of pack.staff.roles) {
      credentials.push({
        name: role.id,
        headers: bearer(await t.apiKey(role.id, { attested: true })),
        kind: "staff",
        role: role.id,
        attested: true,
      });
    }
    const first = pack.staff.roles[0];
    if (first !== undefined) {
      credentials.push({
        name: `${first.id} unattested`,
        headers: bearer(await t.apiKey(first.id, { attested: false })),
        kind: "staff",
        role: first.id,
        attested: false,
      });
    }
  }, 300_000);
  afterAll(() => t?.close());

  it("every route has a sample", () => {
    const missing = routes.map(key).filter((k) => SAMPLES[k] === undefined && !k.includes(" /docs"));
    expect(missing).toEqual([]);
  });

  it("every route × credential × purpose answers within what its declaration and the gate allow", async () => {
    const failures: string[] = [];
    let requests = 0;
    const policy = compilePolicy(pack);
    const facts = async (): Promise<SubjectFacts | null> =>
      loadSubjectFacts(t.store.db, s.ids.subject, new Date().toISOString());
    // Routes that end something for good run last, so the others see the record whole.
    const ordered = [...routes]
      .filter((r) => !r.url.startsWith("/docs"))
      .sort((a, b) => weight(a) - weight(b));
    for (const route of ordered) {
      const sample = SAMPLES[key(route)]?.(s.ids);
      if (sample === undefined) continue;
      const use = route.use;
      for (const cred of credentials) {
        const purposes =
          use.personal && (use.purpose === "query" || use.purpose === "body") && cred.kind === "staff"
            ? [...pack.purposes.map((p) => p.id), UNKNOWN_PURPOSE]
            : [firstPurpose(pack)];
        for (const purpose of purposes) {
          const before = await auditMark(t.store.db);
          const res = await send(t, route, sample, cred, purpose);
          requests++;
          const where = `${company} ${key(route)} as ${cred.name} for ${purpose}`;
          const problem = judge(route.use, cred, res.statusCode);
          if (problem !== null)
            failures.push(`${where}: ${problem} (${res.statusCode} ${res.body.slice(0, 160)})`);
          const found = markersIn(`${res.body} ${JSON.stringify(res.headers)}`);
          const person = await facts();
          for (const field of found) {
            const why = leak(use, cred, field, purpose, sample, policy, person, pack);
            if (why !== null) failures.push(`${where}: ${field} left: ${why}`);
          }
          if (
            res.statusCode < 300 &&
            cred.kind === "staff" &&
            use.personal &&
            (use.purpose === "query" || use.purpose === "body") &&
            use.action !== "erase" &&
            !(await decided(t, before, use.action))
          ) {
            failures.push(`${where}: answered ${res.statusCode} without an audited ${use.action} decision`);
          }
        }
      }
    }
    // A's session never reached B's address or contact.
    const bAddresses = await t.store.db
      .selectFrom("subject_addresses")
      .select("address_id")
      .where("subject_id", "=", s.ids.other)
      .execute();
    if (s.ids.otherAddress !== null && !bAddresses.some((a) => a.address_id === s.ids.otherAddress)) {
      failures.push(`${company}: customer A's session removed customer B's address`);
    }
    checked.push({ pack: company, requests, failures });
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(routes.length * credentials.length);
  }, 600_000);
});

function key(route: { method: string; url: string }): string {
  return `${route.method} ${route.url}`;
}

/** Erasure, revocation and publication run after the rest. */
function weight(route: DeclaredRoute): number {
  if (route.method === "DELETE") return 2;
  return 0;
}

function firstPurpose(pack: PolicyPack): string {
  return pack.purposes[0]!.id;
}

async function send(t: TestApp, route: DeclaredRoute, sample: Sample, cred: Credential, purpose: string) {
  let url = sample.url;
  let body = sample.body;
  if (sample.purposeAt === "query")
    url += `${url.includes("?") ? "&" : "?"}purpose=${encodeURIComponent(purpose)}`;
  if (sample.purposeAt === "body" && typeof body === "object" && body !== null && !Array.isArray(body)) {
    body = { ...body, purpose };
  }
  const headers: Record<string, string> = { ...cred.headers, ...sample.headers };
  if (sample.contentType !== undefined) headers["content-type"] = sample.contentType;
  return t.app.inject({
    method: route.method as "GET",
    url,
    headers,
    ...(body === undefined ? {} : { payload: typeof body === "string" ? body : (body as object) }),
  });
}

/** What is wrong with a status for this caller, or null. */
function judge(use: RouteUse, cred: Credential, status: number): string | null {
  if (status >= 500) return "a server error";
  const { callers } = use;
  if (callers.public === true) return null;
  switch (cred.kind) {
    case "none":
    case "bad-key":
      return status === 401 ? null : "a caller without valid credentials was not turned away with 401";
    case "customer":
      if (callers.customer === true) return null;
      return status === 401 ? null : "a customer's session opened a route that is not the customer's";
    case "staff": {
      if (callers.staff === undefined) {
        return status === 401 ? null : "a staff key opened a route that is not staff's";
      }
      if (callers.staff !== "any" && !callers.staff.includes(cred.role ?? "")) {
        return status === 403 || status === 401
          ? null
          : `role ${cred.role ?? ""} is not among the route's roles`;
      }
      return null;
    }
    default:
      return null;
  }
}

function markersIn(text: string): string[] {
  const found = new Set<string>();
  for (const [name, value] of Object.entries(MARKERS)) {
    if (text.includes(value)) found.add(MARKER_FIELD[name as keyof typeof MARKERS]);
  }
  return [...found];
}

/** Why a marker of `field` in this answer is a leak, or null when the gate allows it there. */
function leak(
  use: RouteUse,
  cred: Credential,
  field: string,
  purpose: string,
  sample: Sample,
  policy: ReturnType<typeof compilePolicy>,
  person: SubjectFacts | null,
  pack: PolicyPack,
): string | null {
  if (!use.personal) return "a route declared not personal";
  if (cred.kind === "customer")
    return use.callers.customer === true ? null : "a customer's session, on a staff route";
  if (cred.kind !== "staff") return "a caller without credentials";
  if (cred.attested === false && pack.staff.attestation_required)
    return "staff without an attestation (ZZ-04)";
  if (use.action === "erase") return "an erasure returns no value";
  if (use.purpose !== "query" && use.purpose !== "body") return `a route whose purpose is ${use.purpose}`;
  if (person === null) return "no facts of the person";
  const actor: Actor =
    cred.role === ADMIN_ROLE
      ? { kind: "system", id: "matrix" }
      : { kind: "staff", id: "matrix", role: cred.role ?? "" };
  const body = (sample.body ?? {}) as { recipient?: string; ground?: string; caseId?: string };
  const decision = decide(
    policy,
    {
      subject: person,
      actorAttested: cred.attested ?? false,
      recipientContractOnFile: true,
      deploymentRegion: "us",
    },
    {
      action: use.action as Action,
      purpose,
      actor,
      fields: [field],
      ...(body.recipient === undefined ? {} : { recipient: body.recipient }),
      ...(body.ground === undefined ? {} : { ground: body.ground }),
      ...(body.caseId === undefined ? {} : { caseId: body.caseId }),
      at: new Date().toISOString(),
    },
  );
  return decision.outcome === "deny" ? `the gate refuses it (${decision.reasons[0]?.code ?? "deny"})` : null;
}

async function decided(t: TestApp, after: AuditMark, action: string): Promise<boolean> {
  const rows = await t.store.db
    .selectFrom("audit_log")
    .select("payload")
    .where(appendedSince(after))
    .where("type", "=", "decision")
    .execute();
  return rows.some((r) => (r.payload as { action?: string }).action === action);
}
