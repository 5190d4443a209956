import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ageAt, birthCutoff, compilePolicy, GateConfigError } from "../../src/gate/index.ts";
import type { PolicyPack } from "../../src/policy/schema.ts";
import { fixturePack } from "./fixture.ts";

function problems(edit: (pack: PolicyPack) => PolicyPack): readonly string[] {
  try {
    compilePolicy(edit(fixturePack()));
  } catch (e) {
    expect(e).toBeInstanceOf(GateConfigError);
    return (e as GateConfigError).problems;
  }
  throw new Error("the pack compiled");
}

describe("compilePolicy", () => {
  it("compiles the fixture pack into lookup tables", () => {
    const p = compilePolicy(fixturePack());
    expect(p.purposes.get("marketing.email")?.fields).toEqual(new Set(["email", "first_name", "last_name"]));
    expect(p.fieldCategory.get("street")).toBe("user.contact.postal");
    expect(p.roles.get("support")).toEqual(new Set(["service.fulfil"]));
    expect(p.purposeListClause).toBe("TC-00");
  });

  it("throws on a misconfigured pack instead of compiling a silent allow", () => {
    expect(
      problems((p) => ({
        ...p,
        purposes: p.purposes.map((x, i) => (i === 0 ? { ...x, categories: ["user.ghost"] } : x)),
      })),
    ).toEqual(["purpose service.fulfil names unknown category user.ghost"]);
    expect(problems((p) => ({ ...p, topics: [{ ...p.topics[0]!, purpose: "marketing.ghost" }] }))).toEqual([
      "topic newsletter names unknown purpose marketing.ghost",
    ]);
    expect(
      problems((p) => ({ ...p, recipients: [{ ...p.recipients[0]!, purposes: ["ghost.use"] }] })),
    ).toEqual(["recipient mail-house names unknown purpose ghost.use"]);
    expect(
      problems((p) => ({
        ...p,
        staff: { ...p.staff, roles: [{ id: "x", name: "X", purposes: ["ghost.use"] }] },
      })),
    ).toEqual(["staff role x names unknown purpose ghost.use"]);
    expect(problems((p) => ({ ...p, sale: { ...p.sale, clauses: ["TC-99"] } }))).toEqual([
      "sale cites unknown clause TC-99",
    ]);
    expect(problems((p) => ({ ...p, purposes: [...p.purposes, p.purposes[0]!] }))).toEqual([
      "duplicate purpose id service.fulfil",
    ]);
    expect(
      problems((p) => ({ ...p, recipients: [{ ...p.recipients[2]!, opt_out_scope: undefined }] })),
    ).toEqual(["recipient partner honours an opt-out but names no opt_out_scope"]);
  });
});

describe("age arithmetic", () => {
  it("birthCutoff agrees with ageAt for every birth date, instant and minimum", () => {
    const day = fc.date({ min: new Date("1990-01-01"), max: new Date("2040-12-31"), noInvalidDate: true });
    fc.assert(
      fc.property(day, day, fc.integer({ min: 1, max: 21 }), (birth, at, years) => {
        const b = birth.toISOString().slice(0, 10);
        const instant = at.toISOString();
        expect(ageAt(b, instant) >= years).toBe(b <= birthCutoff(instant, years));
      }),
      { numRuns: 2000 },
    );
  });

  it("someone born on 29 February turns a year older on 1 March in common years", () => {
    expect(ageAt("2012-02-29", "2025-02-28T23:59:59Z")).toBe(12);
    expect(ageAt("2012-02-29", "2025-03-01T00:00:00Z")).toBe(13);
    expect(birthCutoff("2024-02-29T10:00:00Z", 13)).toBe("2011-02-28");
  });
});
