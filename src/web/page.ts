/**
 * The small HTML pages Pledge serves without the web app (an unsubscribe link, a request's
 * verification link): plain HTML, no script, no external resource, nothing about the person.
 */
export const escapeHtml = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

/**
 * The pages' only style, inline: their Content-Security-Policy (src/http/page-csp.ts) allows this
 * text and nothing else, by its hash.
 */
export const PAGE_STYLE =
  "body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}" +
  "button{font-size:1rem;padding:.5rem 1rem;margin:.25rem 0}";

/** A page titled `title` around `body` (HTML the caller escaped). */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>
`;
}
