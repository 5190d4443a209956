import type { FastifyInstance, preHandlerAsyncHookHandler, RouteOptions } from "fastify";
import { PledgeError } from "../errors.ts";
import type { Action } from "../gate/types.ts";
import type { PolicyPack } from "../policy/schema.ts";
import type { Authenticator } from "./auth.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** What the route does with personal data, and who may call it (required on every route). */
    use?: RouteUse;
  }
  interface FastifyInstance {
    /** Every route registered since `requireRouteUses`, with its declared use. */
    readonly routeUses: readonly DeclaredRoute[];
  }
}

export interface DeclaredRoute {
  readonly method: string;
  readonly url: string;
  readonly use: RouteUse;
}

/**
 * Every route declares its use of personal data, and registration refuses a route that declares
 * none: the declaration is what the route-by-route matrix test (test/http/matrix.test.ts) holds
 * each route to, and what authenticates its callers.
 *
 * - `callers`: who may call. `staff` is any staff API key (`"any"`) or keys of these roles only;
 *   `customer` a signed-in customer's session, on their own record; `hook` a body signed with
 *   the webhook secret; `public` anyone. A route whose only callers are staff is authenticated
 *   here, from the declaration; a route that also takes sessions, hooks or anyone checks those
 *   itself.
 * - `personal`: false when the route touches no personal data (the policy text, health, staff and
 *   keys, campaign settings). Otherwise what it does: the `action` it asks the gate about
 *   (`erase` for an erasure, which the gate is not asked), where the `purpose` comes from, and
 *   what it `touches` (record fields or section names). Staff calling a personal route must have
 *   a confidentiality attestation on file when the pack requires one (ZZ-04), whatever the
 *   route does next.
 */
export type RouteUse = {
  readonly callers: Callers;
} & (
  | { readonly personal: false }
  | {
      readonly personal: true;
      readonly action: Action | "erase";
      readonly purpose: PurposeSource;
      readonly touches: readonly string[];
    }
);

export interface Callers {
  readonly staff?: "any" | readonly string[];
  readonly customer?: true;
  readonly hook?: true;
  readonly public?: true;
}

/**
 * Where a personal route's purpose comes from: the query string or the body (`purpose`), the
 * pack's self-service purpose (a customer on their own record), the purpose the pack gives the
 * work (e.g. a removal request's), the purpose stored with the record the route acts on (a
 * campaign's), or the use the caller describes (`POST /v1/decisions`). `none`: the route reads records' ids and metadata only (no field of the pack), so no purpose
 * is asked; it is still personal, so staff need their attestation.
 */
export type PurposeSource = "query" | "body" | "self-service" | "pack" | "record" | "described" | "none";

export interface RouteUseOptions {
  readonly auth: Authenticator;
  /** The pack in force now: whether staff need an attestation, and the clauses that say so. */
  readonly pack: () => PolicyPack;
}

/**
 * Installs the rule on `app`: from now on, a route registered without `config.use` makes
 * registration fail, and each staff route gets its authentication and attestation checks from
 * its declaration. Routes registered before this call (the API reference's static files) are
 * not personal and are left as they are.
 */
export function requireRouteUses(app: FastifyInstance, opts: RouteUseOptions): void {
  const table: DeclaredRoute[] = [];
  app.decorate("routeUses", table);
  app.addHook("onRoute", (route) => {
    const declared = route.config?.use;
    if (declared === undefined) {
      throw new Error(
        `${String(route.method)} ${route.url} declares no use (config.use): see src/http/route-use.ts`,
      );
    }
    for (const method of [route.method].flat())
      table.push({ method: String(method), url: route.url, use: declared });
    const { staff, customer, hook } = declared.callers;
    const staffOnly =
      staff !== undefined && customer !== true && hook !== true && declared.callers.public !== true;
    const attest = declared.personal && staff !== undefined ? [attestation(opts.pack)] : [];
    if (staffOnly) {
      // Before the body is parsed or validated: a caller who may not call the route learns nothing
      // of what it takes, and every refusal is the same whatever was sent.
      route.onRequest = [opts.auth.requireRole(staff), ...attest, ...handlers(route.onRequest)];
    } else if (attest.length > 0) {
      // The route checks its own callers (a hook's signature, a session) first; attestation needs
      // to know who the caller is.
      route.preHandler = [...handlers(route.preHandler), ...attest];
    }
  });
}

/** ZZ-04: a staff caller of a personal route has an attestation on file when the pack requires one. */
function attestation(pack: () => PolicyPack): preHandlerAsyncHookHandler {
  return async (request) => {
    const caller = request.caller;
    if (caller === null) return; // not a staff caller (a hook or a session): checked by the route
    const current = pack();
    if (current.staff.attestation_required && !caller.attested) {
      throw new PledgeError(
        "PLEDGE_USE_REFUSED",
        "gate rule 3 (attestation_missing): no confidentiality attestation is on file for this staff member",
        current.staff.clauses,
      );
    }
  };
}

function handlers(
  value: RouteOptions["preHandler"] | RouteOptions["onRequest"],
): preHandlerAsyncHookHandler[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]) as preHandlerAsyncHookHandler[];
}
