import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import { PledgeError } from "../errors.ts";

/**
 * CSRF protection for requests authenticated by the session cookie: the synchronizer token
 * pattern, with the token bound to the session. The token is derived from the session's secret
 * id (SHA-256 under a label), so it changes whenever the session does (sign-in rotation,
 * password change) and the database holds neither. A page from another site cannot read it: the
 * cookie is HttpOnly and the token comes only in responses to this origin (sign-in and
 * `GET /v1/account/csrf`). Requests with an API key carry no cookie authority and need no token.
 */
export const CSRF_HEADER = "x-csrf-token";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function csrfTokenFor(sessionId: string): string {
  return createHash("sha256").update(`pledge.csrf\0${sessionId}`).digest("base64url");
}

/** Runs after `requireCustomer`: a state-changing request must send its session's token. */
export function requireCsrf(): preHandlerAsyncHookHandler {
  return async (request) => {
    const session = request.customer;
    if (session === null) throw new Error("requireCsrf runs after requireCustomer");
    checkCsrf(request, session.sessionId);
  };
}

/** Throws PLEDGE_CSRF_FAILED when a state-changing request lacks the token of session `sessionId`. */
export function checkCsrf(request: FastifyRequest, sessionId: string): void {
  if (SAFE_METHODS.has(request.method)) return;
  const header = request.headers[CSRF_HEADER];
  const given = Buffer.from(typeof header === "string" ? header : "");
  const expected = Buffer.from(csrfTokenFor(sessionId));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new PledgeError(
      "PLEDGE_CSRF_FAILED",
      "send the session's token as X-CSRF-Token (from sign-in, GET /v1/account/csrf or GET /v1/console/me)",
    );
  }
}
