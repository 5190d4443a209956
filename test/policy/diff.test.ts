import { describe, expect, it } from "vitest";
import { diffPolicies, formatDiff } from "../../src/policy/diff.ts";
import type { PolicyPack } from "../../src/policy/schema.ts";
import { minimalPack } from "./helpers.ts";

type Edit = (p: PolicyPack) => PolicyPack;

function changed(edit: Edit) {
  const old = minimalPack();
  return diffPolicies(old, edit(structuredClone(old)));
}

function materialWhy(edit: Edit): string[] {
  return changed(edit)
    .changes.filter((c) => c.material)
    .map((c) => c.why ?? "");
}

/** An edit that changes the pack in place. */
const mut =
  (f: (p: PolicyPack) => void): Edit =>
  (p) => {
    f(p);
    return p;
  };
const purpose = (p: PolicyPack, i: number) => p.purposes[i]!;
const recipient = (p: PolicyPack) => p.recipients[0]!;

describe("policy diff: material changes (PS-10)", () => {
  it("flags as material: earlier versions no longer promised to stay published", () => {
    const old: PolicyPack = {
      ...minimalPack(),
      publication: { every_version_published: true, clauses: [minimalPack().clauses[0]!.id] },
    };
    const { publication: _dropped, ...next } = structuredClone(old);
    const why = diffPolicies(old, next)
      .changes.filter((c) => c.material)
      .map((c) => c.why);
    expect(why).toContain("earlier versions are no longer promised to stay published");
  });

  it("identical packs: no changes", () => {
    const d = changed((p) => p);
    expect(d.changes).toEqual([]);
    expect(d.material).toBe(false);
  });

  const cases: [string, Edit, RegExp][] = [
    [
      "a new purpose",
      (p) => ({ ...p, purposes: [...p.purposes, { ...purpose(p, 0), id: "analytics.new" }] }),
      /a new purpose/,
    ],
    ["basis consent → opt_out", mut((p) => (purpose(p, 1).basis = "opt_out")), /weaker opt-out/],
    [
      "basis opt_out → legitimate_interest",
      mut((p) => (purpose(p, 1).basis = "legitimate_interest")),
      /weaker opt-out/,
    ],
    ["an essential class added", mut((p) => p.messages.essential.push("billing")), /essential class added/],
    [
      "suppression channels shrunk",
      (p) => ({ ...p, messages: { ...p.messages, suppression: undefined } }),
      /suppression dropped/,
    ],
    ["third parties allowed", mut((p) => (p.third_parties.allowed = true)), /third parties allowed/],
    ["sale never → with_permission", mut((p) => (p.sale.allowed = "with_permission")), /sale allowed/],
    [
      "a recipient's requirements shortened",
      mut((p) => (recipient(p).requires = [])),
      /requirements were shortened/,
    ],
    [
      "categories added to a recipient",
      mut((p) => recipient(p).categories.push("user.contact.email")),
      /categories added to a recipient/,
    ],
    [
      "a new kind of recipient",
      (p) => ({ ...p, recipients: [...p.recipients, { ...recipient(p), id: "gov", kind: "authority" }] }),
      /new kind of recipient: authority/,
    ],
    ["a clause removed", (p) => ({ ...p, clauses: p.clauses.slice(0, -1) }), /protection removed/],
    [
      "attestation no longer required",
      mut((p) => (p.staff.attestation_required = false)),
      /attestation no longer required/,
    ],
  ];
  for (const [name, edit, why] of cases) {
    it(`flags as material: ${name}`, () => {
      const reasons = materialWhy(edit);
      expect(
        reasons.some((r) => why.test(r)),
        reasons.join("; "),
      ).toBe(true);
    });
  }

  it("flags as material: minimum age lowered or removed", () => {
    const withAge: Edit = (p) => ({ ...p, minimum_age: { years: 13, clauses: ["AC-05"] } });
    const old = withAge(minimalPack());
    const lowered = diffPolicies(old, { ...old, minimum_age: { years: 10, clauses: ["AC-05"] } });
    expect(lowered.changes).toMatchObject([
      { area: "rule", id: "minimum_age", material: true, why: "the minimum age was lowered" },
    ]);
    const removed = diffPolicies(old, { ...old, minimum_age: undefined });
    expect(removed.changes).toMatchObject([
      { id: "minimum_age", material: true, why: "the minimum age was removed" },
    ]);
  });

  it("flags as material: analytics min_cohort lowered, aggregate_only dropped, residency widened or dropped", () => {
    const base = minimalPack();
    const old: PolicyPack = {
      ...base,
      analytics: { min_cohort: 10, clauses: ["AC-01"] },
      residency: { regions: ["us"], clauses: ["AC-01"] },
      purposes: base.purposes.map((p, i) => (i === 0 ? { ...p, aggregate_only: true } : p)),
    };
    const next: PolicyPack = structuredClone(old);
    next.analytics!.min_cohort = 5;
    next.residency!.regions.push("eu");
    purpose(next, 0).aggregate_only = false;
    const why = diffPolicies(old, next)
      .changes.filter((c) => c.material)
      .map((c) => c.why);
    expect(why).toEqual(
      expect.arrayContaining([
        "analytics min_cohort lowered",
        "residency widened",
        "aggregate_only dropped: individual-level use allowed",
      ]),
    );
    expect(diffPolicies(old, { ...old, residency: undefined }).changes).toMatchObject([
      { why: "residency dropped", material: true },
    ]);
  });

  it("flags as material: own_use_only dropped, so staff, recipients or aggregates may use the purpose", () => {
    const base = minimalPack();
    const old: PolicyPack = {
      ...base,
      purposes: base.purposes.map((p, i) => (i === 0 ? { ...p, own_use_only: true } : p)),
    };
    const next: PolicyPack = structuredClone(old);
    purpose(next, 0).own_use_only = false;
    expect(diffPolicies(old, next).changes).toMatchObject([
      { material: true, why: "own_use_only dropped: staff, recipients or aggregates may use it" },
    ]);
    expect(diffPolicies(next, old).changes.filter((c) => c.material)).toEqual([]);
  });

  it("protective or neutral changes are listed but not material", () => {
    const d = changed((p) => {
      purpose(p, 1).name = "Offers";
      purpose(p, 0).basis = "contract";
      p.recipients = [];
      p.clauses[0]!.text = "Reworded.";
      p.messages.essential = ["service"];
      return p;
    });
    expect(d.material).toBe(false);
    expect(d.changes.map((c) => `${c.kind} ${c.area} ${c.id}`)).toEqual([
      "changed purpose marketing.communications.email",
      "removed recipient mail-house",
      "changed clause AC-01",
      "changed rule messages",
    ]);
    expect(d.changes[0]?.detail).toBe("changed: name");
  });

  it("text output marks material changes with '! material:' and counts them", () => {
    const d = changed(
      mut((p) => {
        p.sale.allowed = "with_permission";
        p.clauses[0]!.title = "New title";
      }),
    );
    const text = formatDiff(d);
    expect(text.split("\n")[0]).toBe("acme 2024-01 → acme 2024-01: 2 changes, 1 material");
    expect(text).toContain("! material: changed rule sale: never → with_permission (sale allowed)");
    expect(text).toContain("  changed clause AC-01: changed: title");
  });
});
