import { expect, it } from "vitest";
import { askRaw, type AskFacts, type AskUse } from "./ask.ts";

/**
 * ALL-02 for one pack: an allowed and a refused use each come back naming the policy version and
 * their clauses, and each is written to the audit log (a new sequence number and chain hash).
 */
type Asked = readonly [AskUse, AskFacts];

export function provesAll02(company: string, version: string, allowed: Asked, refused: Asked): void {
  it("ALL-02: every decision, allowed or refused, names the version and clauses and is audited", async () => {
    const yes = await askRaw(company, ...allowed);
    const no = await askRaw(company, ...refused);
    for (const [answer, outcome] of [
      [yes, "allow"],
      [no, "deny"],
    ] as const) {
      expect(answer.status).toBe(200);
      expect(answer.decision?.outcome).toBe(outcome);
      expect(answer.decision?.policy).toEqual({ company, version });
      expect(answer.decision?.reasons.some((r) => r.clause !== null)).toBe(true);
      expect(answer.audit?.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(no.audit?.seq).toBeGreaterThan(yes.audit?.seq ?? Infinity);
    expect(no.audit?.hash).not.toBe(yes.audit?.hash);
  });
}
