import { createHash } from "node:crypto";
import { PAGE_STYLE } from "../web/page.ts";

/**
 * The Content-Security-Policy of the small server-rendered pages (src/web/page.ts: unsubscribe,
 * a request's verification link): nothing loads, the one inline style runs by its SHA-256, and
 * forms post only to this origin. installSecurityHeaders adds `frame-ancestors 'none'`.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash("sha256").update(PAGE_STYLE).digest("base64")}'`,
  "form-action 'self'",
  "base-uri 'none'",
].join("; ");
