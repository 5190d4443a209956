import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import type { Kysely } from "kysely";
import { findSession } from "../modules/customers/sessions.ts";
import type { Database } from "../store/database.ts";
import { PledgeError } from "../errors.ts";

/**
 * Customers' cookies. `pledge_session` carries the session id: HttpOnly (no script reads it),
 * Secure, SameSite=Lax, Path=/, Max-Age = the session's remaining life. `pledge_customer` carries
 * the customer number (ZM-13): a random identifier with no personal data in it, readable by the
 * site's scripts (not HttpOnly) so every page can recognise the customer; it outlives sign-out.
 */
export const SESSION_COOKIE = "pledge_session";
export const CUSTOMER_COOKIE = "pledge_customer";
/**
 * `pledge_device` marks a browser the customer signed in from (src/modules/customers/devices.ts):
 * HttpOnly, Secure, SameSite=Lax, sent only to `/v1/account/` paths.
 */
export const DEVICE_COOKIE = "pledge_device";
const DEVICE_COOKIE_PATH = "/v1/account/";

export interface CustomerSession {
  readonly subjectId: string;
  /** The secret id from the cookie. */
  readonly sessionId: string;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in customer; set by `requireCustomer` before the handler runs. */
    customer: CustomerSession | null;
  }
}

/** The value of cookie `name` in the request's Cookie header, or null. */
export function readCookie(request: FastifyRequest, name: string): string | null {
  const header = request.headers.cookie;
  if (typeof header !== "string") return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1");
    try {
      return decodeURIComponent(raw);
    } catch {
      return null;
    }
  }
  return null;
}

interface CookieOptions {
  readonly maxAgeSeconds: number;
  readonly httpOnly: boolean;
  /** Default `/`. */
  readonly path?: string;
}

/** A Set-Cookie value; always Secure and SameSite=Lax. */
export function serializeCookie(name: string, value: string, opts: CookieOptions): string {
  const parts = [
    `${name}=${encodeURIComponent(value)}`,
    `Max-Age=${Math.max(0, Math.floor(opts.maxAgeSeconds))}`,
    `Path=${opts.path ?? "/"}`,
    "Secure",
    "SameSite=Lax",
  ];
  if (opts.httpOnly) parts.push("HttpOnly");
  return parts.join("; ");
}

export function setSessionCookie(reply: FastifyReply, id: string, expiresAt: Date, now: Date): void {
  const maxAgeSeconds = (expiresAt.getTime() - now.getTime()) / 1000;
  void reply.header("set-cookie", serializeCookie(SESSION_COOKIE, id, { maxAgeSeconds, httpOnly: true }));
}

export function clearSessionCookie(reply: FastifyReply): void {
  void reply.header("set-cookie", serializeCookie(SESSION_COOKIE, "", { maxAgeSeconds: 0, httpOnly: true }));
}

export function setCustomerCookie(reply: FastifyReply, customerNumber: string, maxAgeMs: number): void {
  const cookie = serializeCookie(CUSTOMER_COOKIE, customerNumber, {
    maxAgeSeconds: maxAgeMs / 1000,
    httpOnly: false,
  });
  void reply.header("set-cookie", cookie);
}

export function setDeviceCookie(reply: FastifyReply, id: string, expiresAt: Date, now: Date): void {
  const maxAgeSeconds = (expiresAt.getTime() - now.getTime()) / 1000;
  const cookie = serializeCookie(DEVICE_COOKIE, id, {
    maxAgeSeconds,
    httpOnly: true,
    path: DEVICE_COOKIE_PATH,
  });
  void reply.header("set-cookie", cookie);
}

/**
 * A preHandler that lets through requests with a live session and sets `request.customer`, then
 * runs `onSession` (Global Privacy Control: src/http/gpc.ts) before anything else sees the request.
 */
export function requireCustomer(
  db: Kysely<Database>,
  clock: () => Date,
  onSession: (request: FastifyRequest, customer: CustomerSession) => Promise<void>,
): preHandlerAsyncHookHandler {
  return async (request) => {
    const id = readCookie(request, SESSION_COOKIE);
    const session = id === null ? null : await findSession(db, id, clock());
    if (id === null || session === null) {
      throw new PledgeError(
        "PLEDGE_SESSION_REQUIRED",
        "sign in: the pledge_session cookie is missing, unknown or expired",
      );
    }
    request.customer = { subjectId: session.subjectId, sessionId: id };
    await onSession(request, request.customer);
  };
}

export interface TransportOptions {
  /** Believe `X-Forwarded-Proto: https` (only behind a proxy that sets it and strips clients'). */
  readonly trustForwardedProto: boolean;
  /** Serve plain HTTP when the Host is localhost, 127.0.0.1 or ::1 (development). */
  readonly allowHttpOnLocalhost: boolean;
}

/**
 * Secure cookies need HTTPS: a browser drops them over plain HTTP everywhere but localhost.
 * Customer routes refuse plain HTTP (PLEDGE_TLS_REQUIRED) rather than hand out a session that
 * would travel in the clear.
 */
export function requireSecureTransport(opts: TransportOptions): preHandlerAsyncHookHandler {
  return async (request) => {
    if (request.protocol === "https") return;
    const forwarded = request.headers["x-forwarded-proto"];
    const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim().toLowerCase();
    if (opts.trustForwardedProto && proto === "https") return;
    if (opts.allowHttpOnLocalhost && isLocalhost(request.hostname)) return;
    throw new PledgeError("PLEDGE_TLS_REQUIRED", "customer account endpoints are served over HTTPS only");
  };
}

function isLocalhost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "127.0.0.1" || host === "::1";
}
