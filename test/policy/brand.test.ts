import { describe, expect, it } from "vitest";
import { contrastWithWhite, DEFAULT_BRAND_COLOUR, MIN_CONTRAST } from "../../src/policy/brand.ts";
import { parsePack } from "../../src/policy/load.ts";
import { publicPolicyView } from "../../src/policy/public-view.ts";
import { issuesOf, variant } from "./helpers.ts";

describe("the company's colour (brand.colour)", () => {
  it("contrast with white follows WCAG 2: black 21:1, white 1:1, the default above 4.5:1", () => {
    expect(contrastWithWhite("#000000")).toBeCloseTo(21, 5);
    expect(contrastWithWhite("#ffffff")).toBeCloseTo(1, 5);
    expect(contrastWithWhite("#767676")).toBeGreaterThanOrEqual(MIN_CONTRAST); // the lightest AA grey
    expect(contrastWithWhite("#777777")).toBeLessThan(MIN_CONTRAST);
    expect(contrastWithWhite(DEFAULT_BRAND_COLOUR)).toBeGreaterThanOrEqual(MIN_CONTRAST);
  });

  it("a colour too light for white text on it is refused when the pack loads, at its line", () => {
    const text = variant("name: Acme Parts\n", 'name: Acme Parts\nbrand:\n  colour: "#ffcc00"\n');
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toMatch(/contrast of 4.5:1/);
    expect(issues[0]?.line).toBe(4); // the colour's own line
  });

  it("the privacy center's view carries the pack's colour, or the default", () => {
    const dark = parsePack(
      variant("name: Acme Parts\n", 'name: Acme Parts\nbrand:\n  colour: "#123456"\n'),
      "x.yaml",
    );
    expect(publicPolicyView(dark, "2026-01-01T00:00:00.000Z").colour).toBe("#123456");
    const plain = parsePack(variant("name: Acme Parts\n", "name: Acme Parts\n"), "x.yaml");
    expect(publicPolicyView(plain, "2026-01-01T00:00:00.000Z").colour).toBe(DEFAULT_BRAND_COLOUR);
  });
});
