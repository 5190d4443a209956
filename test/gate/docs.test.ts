import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RULE } from "../../src/gate/index.ts";

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

describe("the gate's rules are documented", () => {
  it("every rule number is listed in the header of decide.ts and in docs/gate.md", () => {
    const header = read("src/gate/decide.ts").split("*/")[0] ?? "";
    const docs = read("docs/gate.md");
    for (const n of new Set(Object.values(RULE))) {
      expect(header, `rule ${n} in decide.ts`).toMatch(new RegExp(`^ \\*\\s+${n}\\s+\\S`, "m"));
      expect(docs, `rule ${n} in docs/gate.md`).toMatch(new RegExp(`^\\| ${n} \\| `, "m"));
    }
  });
});
