import { describe, expect, it } from "vitest";
import { validatePack } from "../../src/policy/validate.ts";
import { issuesOf, lineOf, MINIMAL, minimalPack, variant } from "./helpers.ts";

/** Each semantic rule, broken once in the minimal fixture; the issue names the rule and the node. */
describe("semantic rules", () => {
  it("the minimal fixture breaks none", () => {
    expect(validatePack(minimalPack())).toEqual([]);
  });

  it("V1: a duplicate purpose id is reported at the second one", () => {
    const text = variant("  - id: marketing.communications.email\n", "  - id: essential.service\n");
    const issues = issuesOf(text);
    expect(issues.some((i) => i.path === "purposes[1].id" && /duplicate purpose id/.test(i.message))).toBe(
      true,
    );
    expect(issues.find((i) => i.path === "purposes[1].id")?.line).toBe(
      lineOf(text, "name: Offers by email") - 1,
    );
  });

  it("V1: a duplicate staff role id", () => {
    const text = variant(
      "    - { id: support, name: Support, purposes: [essential.service] }\n",
      "    - { id: support, name: Support, purposes: [essential.service] }\n    - { id: support, name: Again, purposes: [essential.service] }\n",
    );
    expect(issuesOf(text).map((i) => i.path)).toEqual(["staff.roles[1].id"]);
  });

  it("V3: a topic naming an unknown purpose", () => {
    const text = variant("    purpose: marketing.communications.email\n", "    purpose: marketing.postal\n");
    const [issue] = issuesOf(text);
    expect(issue).toMatchObject({
      path: "topics[0].purpose",
      line: lineOf(text, "purpose: marketing.postal"),
      column: 14,
    });
    expect(issue?.message).toMatch(/unknown purpose "marketing.postal".*\(V3\)/);
  });

  it("V4: a rule naming an undeclared clause", () => {
    const text = variant(
      "third_parties: { allowed: false, clauses: [AC-04] }",
      "third_parties: { allowed: false, clauses: [AC-09] }",
    );
    const [issue] = issuesOf(text);
    expect(issue).toMatchObject({
      path: "third_parties.clauses[0]",
      line: lineOf(text, "AC-09"),
      column: 44,
    });
    expect(issue?.message).toMatch(/unknown clause "AC-09".*\(V4\)/);
  });

  it("V5: a field in two categories", () => {
    const text = variant("    fields: [first_name, last_name]", "    fields: [first_name, email]");
    expect(issuesOf(text)).toMatchObject([
      {
        path: "categories[1].fields[1]",
        message: expect.stringMatching(/already belongs to category user.contact.email \(V5\)/),
      },
    ]);
  });

  it("V6: a clause that no rule implements is an error", () => {
    const text = `${MINIMAL}  - id: AC-06\n    title: Orphan\n    text: Nothing enforces this.\n`;
    const [issue] = issuesOf(text);
    expect(issue).toMatchObject({ path: "clauses[5].id", line: lineOf(text, "AC-06"), column: 9 });
    expect(issue?.message).toMatch(/AC-06 is not implemented by any rule.*\(V6\)$/);
  });

  it("V7: a recipient receiving a category none of its purposes allows", () => {
    const text = variant(
      "    categories: [user.name]\n    purposes: [essential.service]",
      "    categories: [user.name]\n    purposes: [marketing.communications.email]",
    );
    expect(issuesOf(text)).toMatchObject([
      { path: "recipients[0].categories[0]", message: expect.stringMatching(/\(V7\)$/) },
    ]);
  });

  it("V8: opt_out_honoured without opt_out_scope", () => {
    const text = variant("    requires: [contract]", "    requires: [contract, opt_out_honoured]");
    expect(issuesOf(text)).toMatchObject([
      { path: "recipients[0].requires", message: expect.stringMatching(/names no opt_out_scope \(V8\)/) },
    ]);
  });

  it("V9: third_parties false with a marketing partner; a processor is fine", () => {
    const text = variant("    kind: processor", "    kind: marketing_partner");
    const [issue] = issuesOf(text);
    expect(issue).toMatchObject({
      path: "recipients[0].kind",
      line: lineOf(text, "marketing_partner"),
      column: 11,
    });
    expect(issue?.message).toMatch(/\(V9\)/);
  });

  it("V10: sale never with a purpose that is a sale", () => {
    const text = variant(
      "    message_classes: [marketing]\n",
      "    message_classes: [marketing]\n    requires_permission: sale\n",
    );
    expect(issuesOf(text)).toMatchObject([
      { path: "purposes[1].requires_permission", message: expect.stringMatching(/\(V10\)/) },
    ]);
  });

  it("V11: a consent purpose that sends only essential classes, and marketing on contract", () => {
    const consent = variant("    message_classes: [marketing]", "    message_classes: [service]");
    expect(issuesOf(consent)).toMatchObject([
      { path: "purposes[1].basis", message: expect.stringMatching(/sends only essential classes.*\(V11\)$/) },
    ]);
    const contract = variant(
      "    message_classes: [service, delivery]",
      "    message_classes: [service, marketing]",
    );
    expect(issuesOf(contract)).toMatchObject([
      { path: "purposes[0].basis", message: expect.stringMatching(/contract cannot justify \(V11\)/) },
    ]);
  });

  it("V12: a topic on a channel its purpose does not use", () => {
    const text = variant(
      "    purpose: marketing.communications.email\n    channels: [email]",
      "    purpose: marketing.communications.email\n    channels: [email, sms]",
    );
    expect(issuesOf(text)).toMatchObject([
      { path: "topics[0].channels[1]", message: expect.stringMatching(/\(V12\)/) },
    ]);
  });

  it("V13: an aggregate-only purpose needs an analytics block", () => {
    const text = variant(
      "    message_classes: [service, delivery]\n",
      "    message_classes: [service, delivery]\n    aggregate_only: true\n",
    );
    expect(issuesOf(text)).toMatchObject([
      { path: "purposes[0].aggregate_only", message: expect.stringMatching(/\(V13\)/) },
    ]);
  });

  it("V14: a pack that sends marketing by email without a postal address fails to load, naming the purpose", () => {
    const text = variant("company_address: [Acme Parts, 1 Example Way, Springfield, US]\n", "");
    const [issue, ...rest] = issuesOf(text);
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({
      path: "purposes[1].message_classes",
      line: lineOf(text, "message_classes: [marketing]"),
    });
    expect(issue?.message).toMatch(
      /marketing\.communications\.email sends marketing by email, but the pack has no company_address.*\(V14\)/,
    );
  });

  it("V14: marketing sent only by post needs no postal address in the pack", () => {
    const text = variant(
      "    channels: [email]\n    message_classes: [marketing]\n",
      "    channels: [postal]\n    message_classes: [marketing]\n",
      variant(
        "    channels: [email]\n    clauses: [AC-02]\n",
        "    channels: [postal]\n    clauses: [AC-02]\n",
        variant("company_address: [Acme Parts, 1 Example Way, Springfield, US]\n", ""),
      ),
    );
    expect(() => issuesOf(text)).toThrow(/loaded without errors/);
  });

  it("V15: an own_use_only purpose named by a staff role or a recipient, or sending messages, fails to load", () => {
    const own =
      "purposes:\n  - id: personalize.own\n    name: For the customer only\n    basis: legitimate_interest\n" +
      "    categories: [user.name]\n    own_use_only: true\n    clauses: [AC-01]\n";
    const named = variant(
      "    - { id: support, name: Support, purposes: [essential.service] }\n",
      "    - { id: support, name: Support, purposes: [essential.service, personalize.own] }\n",
      variant(
        "    purposes: [essential.service]\n    requires: [contract]\n",
        "    purposes: [essential.service, personalize.own]\n    requires: [contract]\n",
        variant("purposes:\n", own),
      ),
    );
    const issues = issuesOf(named);
    expect(issues.map((i) => i.path).sort()).toEqual([
      "recipients[0].purposes[1]",
      "staff.roles[0].purposes[1]",
    ]);
    for (const i of issues)
      expect(i.message).toMatch(/personalize\.own, which only the customer uses.*\(V15\)/);
    const sending = variant(
      "purposes:\n",
      own.replace("    own_use_only: true\n", "    own_use_only: true\n    message_classes: [service]\n"),
    );
    expect(issuesOf(sending)).toMatchObject([
      { path: "purposes[0].message_classes", message: expect.stringMatching(/\(V15\)/) },
    ]);
    expect(() => issuesOf(variant("purposes:\n", own))).toThrow(/loaded without errors/);
  });
});
