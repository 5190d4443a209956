import type { Paragraph, PolicyDocument } from "./render-model.ts";
import { policyDocument } from "./render-sections.ts";
import type { PolicyPack } from "./schema.ts";

/**
 * Renders the published, human-readable policy from a pack (ALL-01, Z19-08). Markdown tags each
 * paragraph with `[PS-05]` and gives each clause's text an anchor `{#PS-05}`; HTML is a complete,
 * escaped document where paragraphs carry `data-clause` and each clause's text has `id`.
 */
export type RenderFormat = "md" | "html";

export function renderPolicy(pack: PolicyPack, format: RenderFormat): string {
  const doc = policyDocument(pack);
  switch (format) {
    case "md":
      return renderMarkdown(doc);
    case "html":
      return renderHtml(doc);
    default: {
      const never: never = format;
      throw new Error(`unknown format ${String(never)}`);
    }
  }
}

function tag(p: Paragraph): string {
  return p.clauses.length ? ` [${[...new Set(p.clauses)].join(", ")}]` : "";
}

function renderMarkdown(doc: PolicyDocument): string {
  const out = [`# ${doc.title}`, "", `Last updated ${doc.lastUpdated}`, "", doc.intro, ""];
  for (const s of doc.sections) {
    out.push(`## ${s.title} {#${s.id}}`, "");
    for (const p of s.paragraphs) out.push(`${p.text}${tag(p)}`, "");
    for (const c of s.clauses) out.push(`#### ${c.id}: ${c.title} {#${c.id}}`, "", c.text.trim(), "");
  }
  return out.join("\n");
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function renderHtml(doc: PolicyDocument): string {
  const e = escapeHtml;
  const body: string[] = [
    `<h1>${e(doc.title)}</h1>`,
    `<p class="last-updated">Last updated <time datetime="${e(doc.lastUpdated)}">${e(doc.lastUpdated)}</time></p>`,
    `<p>${e(doc.intro)}</p>`,
  ];
  for (const s of doc.sections) {
    body.push(`<section id="${e(s.id)}">`, `<h2>${e(s.title)}</h2>`);
    for (const p of s.paragraphs) {
      const ids = [...new Set(p.clauses)];
      const attr = ids.length ? ` data-clause="${e(ids.join(" "))}"` : "";
      const refs = ids.map((id) => `<a href="#${e(id)}">${e(id)}</a>`).join(", ");
      body.push(`<p${attr}>${e(p.text)}${refs ? ` <span class="clauses">[${refs}]</span>` : ""}</p>`);
    }
    for (const c of s.clauses) {
      body.push(
        `<div class="clause" id="${e(c.id)}" data-clause="${e(c.id)}">`,
        `<h3>${e(c.id)}: ${e(c.title)}</h3>`,
        ...c.text
          .trim()
          .split(/\n\s*\n/)
          .map((para) => `<p>${e(para.trim())}</p>`),
        `</div>`,
      );
    }
    body.push(`</section>`);
  }
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(doc.title)}</title>`,
    "</head>",
    "<body>",
    "<main>",
    ...body,
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
