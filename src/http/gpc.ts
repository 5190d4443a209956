import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import { honourGpcSignal } from "../modules/consent/gpc.ts";
import type { PolicyPack } from "../policy/schema.ts";
import type { Database } from "../store/database.ts";
import type { CustomersDeps } from "../modules/customers/customers.service.ts";
import { requireCustomer, type CustomerSession } from "./session.ts";

/**
 * Global Privacy Control (w3c/gpc): a request carries the signal when a `Sec-GPC` value is exactly
 * `1` (surrounding whitespace aside); any other value is no signal. Of several `Sec-GPC` headers,
 * one `1` is enough. Node joins repeated headers with commas, so the joined value is split when
 * the separate values are not at hand.
 */
export function gpcSignalled(request: FastifyRequest): boolean {
  const distinct = request.raw.headersDistinct?.["sec-gpc"];
  const joined = request.headers["sec-gpc"];
  const values =
    distinct ?? (joined === undefined ? [] : [joined].flat().flatMap((v) => String(v).split(",")));
  return values.some((v) => v.trim() === "1");
}

/** `DNT: 1` (Do Not Track), the older signal, honoured where GPC stops tracking. */
export function doNotTrack(request: FastifyRequest): boolean {
  const value = request.headers.dnt;
  return typeof value === "string" && value.trim() === "1";
}

export interface GpcHonouring {
  readonly db: Kysely<Database>;
  readonly clock: () => Date;
  /** The pack in force now. */
  readonly pack: () => PolicyPack;
}

/**
 * What `requireCustomer` runs once the session is known: a signed-in customer's request with the
 * signal records their opt-out of sale and sharing (source `gpc`, actor the customer) before the
 * route answers, so every answer already reflects it. A request without a session never gets
 * here, and the header alone refuses nothing.
 */
export function honourGpc(
  opts: GpcHonouring,
): (request: FastifyRequest, customer: CustomerSession) => Promise<void> {
  return async (request, customer) => {
    if (!gpcSignalled(request)) return;
    const ctx = { actor: `customer:${customer.subjectId}`, now: opts.clock() };
    await honourGpcSignal(opts.db, opts.pack(), customer.subjectId, ctx, { requestId: request.id });
  };
}

/** The session check of every customer route: a live session, and its GPC signal honoured. */
export function customerSession(deps: CustomersDeps): ReturnType<typeof requireCustomer> {
  const pack = () => deps.subjects.policies.at(deps.clock().toISOString()).pack;
  return requireCustomer(deps.db, deps.clock, honourGpc({ db: deps.db, clock: deps.clock, pack }));
}
