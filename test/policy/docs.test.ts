import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DOC_PATH, EXAMPLE_PACK, policyFormatDoc } from "../../scripts/gen-policy-docs.ts";
import { parsePack } from "../../src/policy/load.ts";
import { packSchema } from "../../src/policy/schema.ts";
import { VALIDATION_RULES } from "../../src/policy/validate.ts";

describe("docs/policy-format.md", () => {
  it("is exactly what scripts/gen-policy-docs.ts generates (run it after changing the schema)", () => {
    expect(readFileSync(DOC_PATH, "utf8")).toBe(policyFormatDoc());
  });

  it("documents every top-level key and every semantic rule", () => {
    const doc = policyFormatDoc();
    for (const key of Object.keys(packSchema.shape)) expect(doc).toContain(`| \`${key}\` |`);
    for (const r of VALIDATION_RULES) expect(doc).toContain(`| ${r.code} |`);
  });

  it("its annotated example is a valid pack", () => {
    expect(parsePack(EXAMPLE_PACK, "example.yaml").company).toBe("acme");
  });
});
