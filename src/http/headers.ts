import type { FastifyInstance } from "fastify";

/**
 * The headers every answer carries, whatever route wrote it (errors and 404s included):
 *
 * - `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer` everywhere;
 * - no framing anywhere (`X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`), so the policy
 *   page and the API docs cannot be dressed up inside another site;
 * - a CSP on every answer: the route's own (the policy page's, the API docs' from
 *   installDocsSecurity, the web pages' WEB_CSP from web.routes.ts) with `frame-ancestors 'none'`
 *   added, else `default-src 'none'`;
 * - `Cache-Control: no-store` on everything but the public policy (`no-cache`: revalidate, it
 *   changes when a version takes effect) and the API docs' static files;
 * - `Strict-Transport-Security` when the request came over HTTPS: directly, or through a proxy
 *   Pledge trusts (PLEDGE_TRUST_PROXY), never on plain HTTP, where the header means nothing.
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  // A route sets one of a few policies: each is rewritten once, not on every answer.
  const framed = new Map<string, string>();
  const noFraming = (csp: string): string => {
    let out = framed.get(csp);
    if (out === undefined) {
      out = withoutFraming(csp);
      if (framed.size < 64) framed.set(csp, out);
    }
    return out;
  };
  // A callback hook, not an async one: it does no I/O, and runs on every answer.
  app.addHook("onSend", (request, reply, payload, done) => {
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "no-referrer");
    reply.header("x-frame-options", "DENY");
    const csp = reply.getHeader("content-security-policy");
    reply.header("content-security-policy", noFraming(typeof csp === "string" ? csp : NOTHING));
    if (!reply.hasHeader("cache-control")) {
      const path = pathOf(request.url);
      if (path === "/policy" || path.startsWith("/policy/")) reply.header("cache-control", "no-cache");
      else if (!path.startsWith("/docs/static/")) reply.header("cache-control", "no-store");
    }
    if (request.protocol === "https") reply.header("strict-transport-security", `max-age=${YEAR}`);
    done(null, payload);
  });
}

const NOTHING = "default-src 'none'";

/** The path of a request URL, without its query string. */
function pathOf(url: string): string {
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}
const YEAR = 365 * 24 * 60 * 60;

/** The policy with `frame-ancestors 'none'` in place of whatever framing it allowed. */
export function withoutFraming(csp: string): string {
  const kept = csp
    .split(";")
    .map((d) => d.trim())
    .filter((d) => d !== "" && !d.toLowerCase().startsWith("frame-ancestors"));
  return [...kept, "frame-ancestors 'none'"].join("; ");
}

/**
 * The API docs page's CSP: @fastify/swagger-ui's own (scripts and styles from Pledge itself, no
 * inline script), less what reaches elsewhere (the validator badge, fonts and styles from any
 * https: origin) and the upgrade of plain-HTTP requests (which would break the docs on
 * http://localhost).
 */
export function docsCsp(csp: string): string {
  return withoutFraming(
    csp
      .split(";")
      .map((d) => d.trim().replace(/\s+(validator\.swagger\.io|https:)(?=\s|$)/g, ""))
      .filter((d) => d !== "" && d !== "upgrade-insecure-requests")
      .join("; "),
  );
}
