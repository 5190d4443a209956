import { expect } from "vitest";
import type { Decision, Outcome, SubjectFacts, Use } from "../../src/gate/types.ts";
import { buildTestApp, type TestApp } from "../harness/app.ts";

/**
 * The conformance suite's one way to ask the gate: `POST /v1/decisions` on the whole HTTP API over
 * a fresh store, exactly as an integration would. The actor is the API key's staff member (role
 * `admin` asks as the system). Apps are built once per company and environment in each test file;
 * every file calls `afterAll(closeApps)`.
 */

export type AskUse = Omit<Use, "actor" | "at"> & { readonly at?: string };
export interface AskFacts {
  /** Merged over an adult US customer with no consents, opt-outs, suppressions or permissions; null = nobody. */
  readonly subject?: Partial<SubjectFacts> | null;
  /** Defaults to true when the use names a recipient. */
  readonly recipientContractOnFile?: boolean;
}
export interface AskOptions {
  /** A pack staff role, or `admin` (the default: the system asks). */
  readonly role?: string;
  readonly attested?: boolean;
  /** Extra environment for the server, e.g. PLEDGE_REGION. */
  readonly env?: Readonly<Record<string, string>>;
}
export interface Answer {
  readonly status: number;
  readonly decision: Decision | undefined;
  readonly audit: { readonly seq: number; readonly hash: string } | undefined;
  /** The problem+json body of a non-200 answer. */
  readonly problem:
    { readonly code?: string; readonly detail?: string; readonly clauses?: readonly string[] } | undefined;
}

export const ADULT_CUSTOMER: SubjectFacts = {
  status: "customer",
  age: 35,
  jurisdiction: "US",
  consents: {},
  optOuts: [],
  suppressed: [],
  permissions: [],
};

const apps = new Map<string, Promise<TestApp>>();
const keys = new Map<string, Promise<string>>();

function appFor(company: string, env: Readonly<Record<string, string>> = {}): Promise<TestApp> {
  const id = `${company} ${JSON.stringify(env)}`;
  let app = apps.get(id);
  if (app === undefined) {
    app = buildTestApp({ company, env: { ...env } });
    apps.set(id, app);
  }
  return app;
}

function keyFor(company: string, opts: AskOptions): Promise<string> {
  const role = opts.role ?? "admin";
  const id = `${company} ${JSON.stringify(opts.env ?? {})} ${role} ${opts.attested !== false}`;
  let key = keys.get(id);
  if (key === undefined) {
    key = appFor(company, opts.env).then((t) => t.apiKey(role, { attested: opts.attested ?? true }));
    keys.set(id, key);
  }
  return key;
}

export async function askRaw(
  company: string,
  use: AskUse,
  facts: AskFacts = {},
  opts: AskOptions = {},
): Promise<Answer> {
  const t = await appFor(company, opts.env);
  const key = await keyFor(company, opts);
  const subject = facts.subject === null ? null : { ...ADULT_CUSTOMER, ...facts.subject };
  const body = {
    use,
    facts: {
      subject,
      ...(use.recipient === undefined
        ? {}
        : { recipientContractOnFile: facts.recipientContractOnFile ?? true }),
    },
  };
  const res = await t.app.inject({
    method: "POST",
    url: "/v1/decisions",
    headers: { authorization: `Bearer ${key}` },
    payload: body,
  });
  const json = res.json() as { decision?: Decision; audit?: Answer["audit"]; code?: string; detail?: string };
  return res.statusCode === 200
    ? { status: 200, decision: json.decision, audit: json.audit, problem: undefined }
    : { status: res.statusCode, decision: undefined, audit: undefined, problem: json };
}

/** The gate's decision on `use`, asked over HTTP; fails the test if the question itself is refused. */
export async function ask(
  company: string,
  use: AskUse,
  facts: AskFacts = {},
  opts: AskOptions = {},
): Promise<Decision> {
  const answer = await askRaw(company, use, facts, opts);
  if (answer.decision === undefined) {
    throw new Error(`POST /v1/decisions answered ${answer.status}: ${JSON.stringify(answer.problem)}`);
  }
  return answer.decision;
}

/** Asserts the outcome, that a reason names `clause`, and the policy version that decided. */
export function expectDecision(d: Decision, outcome: Outcome, clause: string, version: string): void {
  expect(d.outcome, JSON.stringify(d.reasons)).toBe(outcome);
  expect(d.reasons.map((r) => r.clause)).toContain(clause);
  expect(d.policy.version).toBe(version);
}

export async function closeApps(): Promise<void> {
  const open = [...apps.values()];
  apps.clear();
  keys.clear();
  for (const app of open) await (await app).close();
}
