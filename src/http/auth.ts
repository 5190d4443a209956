import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import type { Kysely } from "kysely";
import { authenticate } from "../modules/staff/staff.service.ts";
import { sessionCaller } from "../modules/staff/signin.ts";
import type { Caller } from "../modules/staff/staff.ts";
import type { Database } from "../store/database.ts";
import { PledgeError } from "../errors.ts";
import type { FailureLimiter } from "../throttle/failures.ts";
import { sourceOf } from "../throttle/source.ts";
import { checkCsrf } from "./csrf.ts";
import { readCookie } from "./session.ts";

/** The console's session cookie (src/modules/staff/console.routes.ts). */
export const STAFF_COOKIE = "pledge_staff";

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated caller; set by `requireRole` before the handler runs. */
    caller: Caller | null;
  }
}

/**
 * API-key authentication: `Authorization: Bearer <key>` or `X-API-Key: <key>`. A successful
 * lookup is remembered for `ttlMs` so a busy caller costs one query per interval, not per request;
 * `forget()` drops everything, and is called after every change to staff or keys in this process.
 * Another process's revocation takes effect within `ttlMs`.
 *
 * People at the console present the `pledge_staff` session cookie instead of a key (sign-in:
 * src/modules/staff/signin.ts). It speaks for the same staff member, role and attestation as a
 * key would, looked up on every request (no cache: signing out ends it at once), and a request
 * that changes something must carry the session's CSRF token. A key, when sent, wins.
 *
 * Failed keys are limited per source address by `failures` (counted in the database, so on every
 * node): a source over its limit is answered 429 before any key it sends is looked up, so
 * guessing stops there, while keys already known good in this process keep working. Neither the
 * answers nor the log ever carry the key.
 */
export class Authenticator {
  private readonly cache = new Map<string, { caller: Caller; until: number }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
    private readonly failures: FailureLimiter | null = null,
    private readonly ttlMs = 5_000,
  ) {}

  async authenticate(key: string): Promise<Caller | null> {
    const hit = this.cached(key);
    if (hit !== null) return hit;
    const caller = await authenticate(this.db, key, new Date(this.now()));
    if (caller) {
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(key, { caller, until: this.now() + this.ttlMs });
    } else {
      this.cache.delete(key);
    }
    return caller;
  }

  private cached(key: string): Caller | null {
    const hit = this.cache.get(key);
    return hit && hit.until > this.now() ? hit.caller : null;
  }

  /** The caller of `key` from `request`'s source, within the source's failure limit. */
  private async authenticateFrom(request: FastifyRequest, reply: FastifyReply, key: string) {
    const hit = this.cached(key);
    if (hit !== null || this.failures === null) return hit ?? (await this.authenticate(key));
    const source = sourceOf(request.ip);
    const admission = await this.failures.check(source);
    if (!admission.allowed) {
      const seconds = Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
      void reply.header("retry-after", String(seconds));
      throw new PledgeError(
        "PLEDGE_RATE_LIMITED",
        `too many failed API keys from this address; retry in ${seconds} s`,
      );
    }
    const caller = await this.authenticate(key);
    if (caller === null) await this.failures.fail(source);
    return caller;
  }

  /** The caller of the request's console session; without one, PLEDGE_AUTH_MISSING. */
  private async sessionCallerOf(request: FastifyRequest): Promise<Caller> {
    const id = readCookie(request, STAFF_COOKIE);
    const caller = id === null ? null : await sessionCaller(this.db, id, new Date(this.now()));
    if (id === null || caller === null) {
      throw new PledgeError(
        "PLEDGE_AUTH_MISSING",
        "send the API key as Authorization: Bearer <key>, or sign in to the console",
      );
    }
    checkCsrf(request, id);
    return caller;
  }

  forget(): void {
    this.cache.clear();
  }

  /** A preHandler that lets through callers whose role is in `roles` (`"any"`: every valid key). */
  requireRole(roles: "any" | readonly string[]): preHandlerAsyncHookHandler {
    return async (request, reply) => {
      const key = presentedKey(request);
      const caller =
        key === null ? await this.sessionCallerOf(request) : await this.authenticateFrom(request, reply, key);
      if (!caller)
        throw new PledgeError("PLEDGE_AUTH_INVALID", "the API key is unknown, malformed or revoked");
      if (roles !== "any" && !roles.includes(caller.role)) {
        throw new PledgeError("PLEDGE_FORBIDDEN_ROLE", `this endpoint needs the role ${roles.join(" or ")}`);
      }
      request.caller = caller;
    };
  }
}

function presentedKey(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header === "string" && header.length > 0) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1] ?? "";
  }
  const apiKey = request.headers["x-api-key"];
  if (typeof apiKey === "string" && apiKey.length > 0) return apiKey.trim();
  return null;
}
