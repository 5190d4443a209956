import { describe, expect, it } from "vitest";
import { formatIssue, PolicyError } from "../../src/policy/errors.ts";
import { loadPackFile, parsePack } from "../../src/policy/load.ts";
import { issuesOf, lineOf, MINIMAL_PATH, variant } from "./helpers.ts";

describe("loading a pack", () => {
  it("loads a valid pack and applies the schema's defaults", async () => {
    const pack = await loadPackFile(MINIMAL_PATH);
    expect(pack.company).toBe("acme");
    expect(pack.recipients[0]?.single_subject).toBe(false);
    expect(pack.messages.former_customers).toBe("contactable");
    expect(pack.retention).toEqual([]);
  });

  it("malformed YAML: reports the parser's position", () => {
    const text = variant("jurisdictions: [US]\n", "jurisdictions: [US\n");
    const issues = issuesOf(text, "bad.yaml");
    expect(issues[0]).toMatchObject({ file: "bad.yaml", line: 7, column: 1 });
    expect(issues[0]?.message).toMatch(/^malformed YAML: .*\]/);
  });

  it("duplicate keys are errors, at the second key", () => {
    const text = variant("name: Acme Parts\n", "name: Acme Parts\nname: Acme Again\n");
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 3, column: 1 });
    expect(issues[0]?.message).toMatch(/unique/);
  });

  it("a wrong type points at the value and says what was expected", () => {
    const text = variant("jurisdictions: [US]", "jurisdictions: US");
    const [issue] = issuesOf(text);
    expect(issue).toMatchObject({ line: 6, column: 16, path: "jurisdictions" });
    expect(issue?.message).toMatch(/expected array/);
  });

  it("a wrong enum value inside a list points at that value", () => {
    const text = variant("    sensitivity: contact\n", "    sensitivity: secret\n");
    const [issue] = issuesOf(text);
    expect(issue).toMatchObject({ line: 11, column: 18, path: "categories[0].sensitivity" });
    expect(issue?.message).toMatch(/identifier/);
  });

  it("an unknown key points at the key and lists the keys allowed there", () => {
    const text = variant("    sensitivity: contact\n", "    sensitivity: contact\n    colour: red\n");
    const [issue] = issuesOf(text);
    expect(issue).toMatchObject({ line: 12, column: 5, path: "categories[0].colour" });
    expect(issue?.message).toBe(
      'unknown key "colour"; expected one of: id, name, fields, sensitivity, group',
    );
  });

  it("a missing required key is reported at the mapping that lacks it", () => {
    const text = variant("    title: Offers\n", "");
    const [issue] = issuesOf(text);
    const line = lineOf(text, "  - id: AC-02");
    expect(issue).toMatchObject({ line, column: 5, path: "clauses[1].title" });
    expect(issue?.message).toBe('missing required key "title" (expected string)');
  });

  it("an unknown category reference points at the reference (V2)", () => {
    const text = variant(
      "    categories: [user.contact.email]\n    channels",
      "    categories: [user.contact.emial]\n    channels",
    );
    const [issue] = issuesOf(text);
    expect(issue).toMatchObject({ line: 26, column: 18, path: "purposes[1].categories[0]" });
    expect(issue?.message).toMatch(
      /unknown category "user.contact.emial"; expected one of: user.contact.email, user.name \(V2\)/,
    );
  });

  it("reports every problem at once, in source order, as file:line:column", () => {
    const text = variant("jurisdictions: [US]", "jurisdictions: US", variant("name: Acme Parts", "name: 7"));
    const err = (() => {
      try {
        parsePack(text, "x.yaml");
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(PolicyError);
    expect((err as PolicyError).code).toBe("PLEDGE_POLICY_INVALID");
    expect((err as PolicyError).issues.map(formatIssue)).toEqual([
      "x.yaml:2:7: name: Invalid input: expected string, received number",
      "x.yaml:6:16: jurisdictions: Invalid input: expected array, received string",
    ]);
  });

  it("an empty file is reported at 1:1", () => {
    expect(issuesOf("")[0]).toMatchObject({ line: 1, column: 1 });
  });
});
