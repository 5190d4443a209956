import path from "node:path";
import { describe, expect, it } from "vitest";
import { retentionRules } from "../../src/modules/retention/retention.ts";
import { inForce, loadPolicyHistory } from "../../src/policy/history.ts";
import { POLICIES_DIR } from "../harness/app.ts";

/** Which records each retention entry of a pack reaches, and what is reported as not enforced. */
describe("retention rules of a pack", () => {
  it("zones: orders and charges by purchase history, billing addresses by theirs; nothing left unenforced", async () => {
    const pack = inForce(await loadPolicyHistory(path.join(POLICIES_DIR, "zones")), "2026-12-01T00:00:00Z");
    const { rules, unenforced } = retentionRules(pack);
    expect(rules.map((r) => [r.item, r.categories, r.periods])).toEqual([
      ["orders", ["user.behavior.purchase_history"], ["P7Y"]],
      ["charges", ["user.behavior.purchase_history"], ["P7Y"]],
      ["billing_addresses", ["user.financial.billing_address"], ["P7Y"]],
    ]);
    expect(unenforced).toEqual([]);
  });

  it("an entry's category that no dated record holds is reported, even beside one that is enforced", async () => {
    const zones = inForce(await loadPolicyHistory(path.join(POLICIES_DIR, "zones")), "2026-12-01T00:00:00Z");
    const email = zones.categories.find((c) => c.fields.includes("email"))!.id;
    const pack = {
      ...zones,
      retention: [
        { categories: ["user.behavior.purchase_history", email], period: "P7Y", reason: "Tax law." },
        { categories: ["user.financial.billing_address"], period: "P10Y", reason: "Invoices." },
      ],
    };
    const { rules, unenforced } = retentionRules(pack);
    expect(rules.find((r) => r.item === "billing_addresses")).toMatchObject({ periods: ["P10Y"] });
    expect(rules.find((r) => r.item === "orders")).toMatchObject({
      categories: ["user.behavior.purchase_history"],
      periods: ["P7Y"],
    });
    expect(unenforced).toEqual([
      {
        categories: [email],
        period: "P7Y",
        why: `no dated record holds ${email}: it is part of the customer's own record, which lives until the customer is erased`,
      },
    ]);
  });
});
