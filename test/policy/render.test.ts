import { describe, expect, it } from "vitest";
import { loadAllPolicies } from "../../src/policy/history.ts";
import { parsePack } from "../../src/policy/load.ts";
import { renderPolicy } from "../../src/policy/render.ts";
import { minimalPack, variant } from "./helpers.ts";

describe("rendering the public policy (ALL-01)", () => {
  it("markdown: title, last updated, paragraphs tagged with clauses, each clause's text once with its anchor", () => {
    const md = renderPolicy(minimalPack(), "md");
    expect(md.startsWith("# Acme Parts Privacy Policy\n\nLast updated 2023-12-15\n")).toBe(true);
    expect(md).toContain("Offers by email: we use your email address only if you have said yes");
    expect(md).toMatch(/Do Not Send list.*\[AC-03\]/);
    expect(md).toContain("We never share your information with any third party. [AC-04]");
    expect(md).toContain(
      "#### AC-03: Do Not Send {#AC-03}\n\nUnsubscribing puts your address on our Do Not Send list.",
    );
    for (const c of minimalPack().clauses) expect(md.split(`{#${c.id}}`)).toHaveLength(2);
  });

  it("html: a complete document; text is escaped; clause ids are anchors and data attributes", () => {
    const text = variant(
      "name: Acme Parts",
      'name: "Acme <Parts> & \\"Co\\""',
      variant(
        "text: We never sell or share your data with third parties.",
        "text: We never sell <script>alert(1)</script> data.",
      ),
    );
    const html = renderPolicy(parsePack(text, "x.yaml"), "html");
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html.trimEnd().endsWith("</html>")).toBe(true);
    expect(html).toContain("<title>Acme &lt;Parts&gt; &amp; &quot;Co&quot; Privacy Policy</title>");
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain('<div class="clause" id="AC-04" data-clause="AC-04">');
    expect(html).toMatch(/<p data-clause="AC-04">We never share your information with any third party\./);
    expect(html).toContain('Last updated <time datetime="2023-12-15">2023-12-15</time>');
  });

  it("the postal address printed on marketing emails is published too, escaped in html", () => {
    const md = renderPolicy(minimalPack(), "md");
    expect(md).toContain("give our postal address: Acme Parts, 1 Example Way, Springfield, US.");
    const text = variant(
      "company_address: [Acme Parts, 1 Example Way, Springfield, US]",
      'company_address: [Acme Parts, "1 <Example> Way", Springfield, US]',
    );
    const html = renderPolicy(parsePack(text, "x.yaml"), "html");
    expect(html).toContain("Acme Parts, 1 &lt;Example&gt; Way, Springfield, US.");
  });

  it("a clause no section cites is still published, under 'Our other commitments'", () => {
    const base = minimalPack();
    const pack = {
      ...base,
      clauses: [...base.clauses, { id: "AC-06", title: "Extra", text: "Another promise." }],
    };
    const md = renderPolicy(pack, "md");
    expect(md).toContain("## Our other commitments {#other-commitments}\n\n#### AC-06: Extra {#AC-06}");
  });

  it("every clause of every shipped pack appears in both renders, with the last-updated date", async () => {
    const all = await loadAllPolicies("policies");
    expect(all.size).toBeGreaterThanOrEqual(4);
    for (const history of all.values()) {
      for (const { pack } of history.versions) {
        const md = renderPolicy(pack, "md");
        const html = renderPolicy(pack, "html");
        expect(md).toContain(`Last updated ${pack.last_updated}`);
        expect(html).toContain(`Last updated <time datetime="${pack.last_updated}">`);
        for (const c of pack.clauses) {
          expect(md, `${pack.company} ${c.id}`).toContain(`{#${c.id}}`);
          expect(html, `${pack.company} ${c.id}`).toContain(`id="${c.id}"`);
        }
      }
    }
  });
});
