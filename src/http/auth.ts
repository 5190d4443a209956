import type { FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import type { Kysely } from "kysely";
import { authenticate } from "../modules/staff/staff.service.ts";
import type { Caller } from "../modules/staff/staff.ts";
import type { Database } from "../store/database.ts";
import { PledgeError } from "../errors.ts";

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
 */
export class Authenticator {
  private readonly cache = new Map<string, { caller: Caller; until: number }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = 5_000,
  ) {}

  async authenticate(key: string): Promise<Caller | null> {
    const hit = this.cache.get(key);
    if (hit && hit.until > this.now()) return hit.caller;
    const caller = await authenticate(this.db, key, new Date(this.now()));
    if (caller) {
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(key, { caller, until: this.now() + this.ttlMs });
    } else {
      this.cache.delete(key);
    }
    return caller;
  }

  forget(): void {
    this.cache.clear();
  }

  /** A preHandler that lets through callers whose role is in `roles` (`"any"`: every valid key). */
  requireRole(roles: "any" | readonly string[]): preHandlerAsyncHookHandler {
    return async (request) => {
      const key = presentedKey(request);
      if (key === null)
        throw new PledgeError("PLEDGE_AUTH_MISSING", "send the API key as Authorization: Bearer <key>");
      const caller = await this.authenticate(key);
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
