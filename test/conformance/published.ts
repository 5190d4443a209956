import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Decision } from "../../src/gate/types.ts";
import { inForce, loadPolicyHistory } from "../../src/policy/history.ts";
import { buildTestApp, POLICIES_DIR, type TestApp } from "../harness/app.ts";
import { ADULT_CUSTOMER } from "./ask.ts";
import path from "node:path";

/** The last-updated line of a rendered policy, in HTML (`<time>`) or Markdown. */
export function lastUpdated(date: string): RegExp {
  return new RegExp(`Last updated (<time datetime="${date}">)?${date}`);
}

/** GETs a public page of the app (no key). */
export async function page(t: TestApp, url: string) {
  const res = await t.app.inject({ method: "GET", url });
  return { status: res.statusCode, body: res.body, version: res.headers["x-policy-version"], res };
}

/** Asks for a decision at `at` with an admin key. */
export async function decisionAt(t: TestApp, key: string, use: object, at: string): Promise<Decision> {
  const res = await t.app.inject({
    method: "POST",
    url: "/v1/decisions",
    headers: { authorization: `Bearer ${key}` },
    payload: { use: { ...use, at }, facts: { subject: ADULT_CUSTOMER } },
  });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { decision: Decision }).decision;
}

/**
 * ALL-01 for one company: the policy served at /policy is rendered from the pack in force, every
 * clause of that pack is on it, and the gate's decisions at the same instant cite that version.
 */
export function describePublished(company: string, at: string): void {
  describe(`${company}: the published policy`, () => {
    let t: TestApp;
    let key: string;
    beforeAll(async () => {
      t = await buildTestApp({ company, clock: () => new Date(at) });
      key = await t.apiKey("admin");
    });
    afterAll(() => t.close());

    it("ALL-01: the public policy is rendered from the pack the gate enforces", async () => {
      const pack = inForce(await loadPolicyHistory(path.join(POLICIES_DIR, company)), at);
      const served = await page(t, "/policy");
      expect(served.status).toBe(200);
      expect(served.res.headers["content-type"]).toMatch(/^text\/html/);
      expect(served.version).toBe(pack.version);
      expect(served.body).toMatch(lastUpdated(pack.last_updated));
      for (const clause of pack.clauses) expect(served.body).toContain(`id="${clause.id}"`);

      const purpose = pack.purposes[0]!;
      const field = pack.categories.find((c) => c.id === purpose.categories[0])!.fields[0]!;
      const decision = await decisionAt(t, key, { action: "read", purpose: purpose.id, fields: [field] }, at);
      expect(decision.policy.version).toBe(served.version);
      for (const r of decision.reasons) if (r.clause) expect(served.body).toContain(`id="${r.clause}"`);

      const md = await page(t, "/policy?format=md");
      expect(md.res.headers["content-type"]).toMatch(/^text\/markdown/);
      for (const clause of pack.clauses) expect(md.body).toContain(`{#${clause.id}}`);
    });
  });
}
