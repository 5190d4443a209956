import { createHash, createHmac } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from "fastify";
import type { Kysely } from "kysely";
import type { Database } from "../store/database.ts";
import { PledgeError } from "../errors.ts";
import { PROBLEM_CONTENT_TYPE } from "./errors.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /**
     * Honour `Idempotency-Key` on this POST. Only for routes whose responses carry no personal
     * data (ids, versions, field names): the response body is stored to be replayed.
     */
    idempotent?: boolean;
  }
}

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const KEY = /^[\x21-\x7e]{8,255}$/;

/**
 * `Idempotency-Key` on POSTs. The first request with a key runs and its response is stored; a
 * retry with the same key and the same request gets the same response replayed
 * (`Idempotent-Replayed: true`) and runs nothing; the same key with a different request is 422
 * PLEDGE_IDEMPOTENCY_MISMATCH; a retry while the first still runs is 409. Keys are per caller and
 * expire after 24 hours. A 5xx is not stored: the retry runs again.
 *
 * No personal data is kept in clear: the stored key is SHA-256 over caller and key, the request
 * is an HMAC keyed by the client's key (unguessable without it), and only routes that opt in with
 * `config: { idempotent: true }` and answer without personal data have their body stored.
 * Installed on the root before any route, it adds itself after each opted-in route's own
 * preHandlers (so after authentication).
 */
export function installIdempotency(
  app: FastifyInstance,
  opts: { db: Kysely<Database>; clock: () => Date },
): void {
  const claimed = new WeakMap<FastifyRequest, string>();

  const preHandler = async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers["idempotency-key"];
    if (header === undefined) return;
    if (typeof header !== "string" || !KEY.test(header)) {
      throw new PledgeError(
        "PLEDGE_VALIDATION_FAILED",
        "Idempotency-Key must be 8–255 visible ASCII characters",
      );
    }
    const caller = request.caller?.staffId ?? "public";
    const keyHash = createHash("sha256").update(`${caller}\0${header}`).digest("hex");
    const route = `${request.method} ${request.routeOptions.url ?? ""}`;
    const requestHash = createHmac("sha256", header)
      .update(`${route}\0${canonical(request.params)}\0${canonical(request.body)}`)
      .digest("hex");
    const now = opts.clock();
    const expired = new Date(now.getTime() - IDEMPOTENCY_TTL_MS);
    await opts.db
      .deleteFrom("idempotency_keys")
      .where("key_hash", "=", keyHash)
      .where("created_at", "<", expired)
      .execute();
    const inserted = await opts.db
      .insertInto("idempotency_keys")
      .values({
        key_hash: keyHash,
        route,
        request_hash: requestHash,
        status: null,
        body: null,
        created_at: now,
      })
      .onConflict((oc) => oc.column("key_hash").doNothing())
      .returning("key_hash")
      .executeTakeFirst();
    if (inserted !== undefined) {
      claimed.set(request, keyHash);
      return;
    }
    const row = await opts.db
      .selectFrom("idempotency_keys")
      .selectAll()
      .where("key_hash", "=", keyHash)
      .executeTakeFirst();
    if (row === undefined) throw new PledgeError("PLEDGE_IDEMPOTENCY_IN_PROGRESS", "retry the request");
    if (row.route !== route || row.request_hash !== requestHash) {
      throw new PledgeError(
        "PLEDGE_IDEMPOTENCY_MISMATCH",
        "this Idempotency-Key was used for a different request",
      );
    }
    if (row.status === null) {
      throw new PledgeError(
        "PLEDGE_IDEMPOTENCY_IN_PROGRESS",
        "the first request with this key has not finished",
      );
    }
    return reply
      .code(row.status)
      .header("idempotent-replayed", "true")
      .type(row.status >= 400 ? PROBLEM_CONTENT_TYPE : "application/json; charset=utf-8")
      .send(row.body ?? "");
  };

  const onSend = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const keyHash = claimed.get(request);
    if (keyHash === undefined) return payload;
    claimed.delete(request);
    if (reply.statusCode >= 500 || typeof payload !== "string") {
      await opts.db.deleteFrom("idempotency_keys").where("key_hash", "=", keyHash).execute();
    } else {
      await opts.db
        .updateTable("idempotency_keys")
        .set({ status: reply.statusCode, body: payload })
        .where("key_hash", "=", keyHash)
        .execute();
    }
    return payload;
  };

  app.addHook("onRoute", (route: RouteOptions) => {
    if (route.config?.idempotent !== true) return;
    route.preHandler = [...asArray(route.preHandler), preHandler] as RouteOptions["preHandler"];
    route.onSend = [...asArray(route.onSend), onSend] as RouteOptions["onSend"];
  });
}

function asArray<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...(value as T[])] : [value as T];
}

/** JSON with object keys sorted, so the same request always hashes the same. */
function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_k, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** Deletes records older than 24 hours; returns how many. For a periodic job. */
export async function purgeIdempotencyKeys(db: Kysely<Database>, now: Date): Promise<number> {
  const r = await db
    .deleteFrom("idempotency_keys")
    .where("created_at", "<", new Date(now.getTime() - IDEMPOTENCY_TTL_MS))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
