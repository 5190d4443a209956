import { timingSafeEqual } from "node:crypto";
import { PAGE_CSP } from "../../http/page-csp.ts";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { Vault } from "../../crypto/vault.types.ts";
import type { Authenticator } from "../../http/auth.ts";
import { PledgeError } from "../../errors.ts";
import { CHANNELS, type Channel, type PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { confirmPage, donePage, expiredPage, invalidPage, usedPage } from "./pages.ts";
import { checkToken, tokenInSubject, type TokenClaims } from "./tokens.ts";
import { unsubscribeAddress, unsubscribeByToken, type Scope } from "./unsubscribe.service.ts";
import { indexOrThrow } from "../suppression/address.ts";
import { actingOf } from "../../http/acting.ts";
import { auditActor } from "../../use/acting.ts";

export interface UnsubscribeRoutesOptions {
  readonly db: Kysely<Database>;
  readonly vault: Pick<Vault, "blindIndex">;
  readonly auth: Authenticator;
  readonly clock: () => Date;
  readonly packAt: (at: string) => PolicyPack;
  /** The shared secret an inbound-mail hook sends in `X-Pledge-Hook-Secret`; null: staff keys only. */
  readonly hookSecret: string | null;
}

export const HOOK_SECRET_HEADER = "x-pledge-hook-secret";

const HTML = "text/html; charset=utf-8";
const tokenParams = {
  type: "object",
  required: ["token"],
  additionalProperties: false,
  properties: { token: { type: "string", maxLength: 200 } },
} as const;

const mailtoBody = {
  type: "object",
  additionalProperties: false,
  properties: {
    subject: { type: "string", maxLength: 998, description: "the Subject line of the request" },
    from: { type: "string", maxLength: 320, description: "the address the request came from" },
    channel: { type: "string", enum: CHANNELS, default: "email" },
  },
} as const;

const mailtoResponse = {
  type: "object",
  additionalProperties: false,
  required: ["outcome", "via", "subjects", "suppressed"],
  properties: {
    outcome: { type: "string", enum: ["unsubscribed", "already_unsubscribed"] },
    via: { type: "string", enum: ["token", "address"] },
    subjects: { type: "integer", description: "people whose marketing on the channel was stopped" },
    suppressed: { type: "boolean", description: "the address was newly put on Do Not Send" },
  },
} as const;

const errors = {
  400: { $ref: "Problem#" },
  401: { $ref: "Problem#" },
  403: { $ref: "Problem#" },
  410: { $ref: "Problem#" },
};

/** The RFC 8058 body and the page's form: `List-Unsubscribe=One-Click`, `scope=target|channel`. */
function formFields(body: unknown, contentType: string | undefined): URLSearchParams {
  if (typeof body !== "string") return new URLSearchParams();
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType ?? "")?.[1];
  if (!contentType?.startsWith("multipart/form-data") || !boundary) return new URLSearchParams(body);
  const fields = new URLSearchParams();
  for (const part of body.split(`--${boundary}`)) {
    const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(part)?.[1];
    const start = part.indexOf("\r\n\r\n");
    if (name === undefined || start === -1) continue;
    fields.append(name, part.slice(start + 4).replace(/\r\n$/, ""));
  }
  return fields;
}

function describe(pack: PolicyPack, claims: TokenClaims): string {
  if (claims.topic !== null) return pack.topics.find((t) => t.id === claims.topic)?.name ?? claims.topic;
  return pack.purposes.find((p) => p.id === claims.purpose)?.name ?? claims.purpose;
}

/**
 * One-click unsubscribe (RFC 8058) at /u/:token, no sign-in: GET shows a page and never acts (link
 * scanners fetch it); POST commits the opt-out, then answers 200 with a page – never a redirect.
 * A forged or unknown token answers 400, an expired one 410, each with a page; nothing is written.
 * POST /v1/unsubscribe/mailto takes requests sent to the List-Unsubscribe mailbox.
 */
export async function unsubscribeRoutes(app: FastifyInstance, opts: UnsubscribeRoutesOptions): Promise<void> {
  const { db, vault, auth, clock, packAt } = opts;
  app.addContentTypeParser(
    ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"],
    { parseAs: "string", bodyLimit: 16 * 1024 },
    (_req, body, done) => done(null, body),
  );

  const refusal = (why: "forged" | "unknown" | "expired") =>
    why === "expired" ? { status: 410, html: expiredPage() } : { status: 400, html: invalidPage() };

  app.get<{ Params: { token: string } }>(
    "/u/:token",
    {
      schema: { hide: true, params: tokenParams },
      config: { use: { callers: { public: true }, personal: false } },
    },
    async (request, reply) => {
      const now = clock();
      const checked = await checkToken(db, request.params.token, now);
      reply
        .header("cache-control", "no-store")
        .header("referrer-policy", "no-referrer")
        .header("content-security-policy", PAGE_CSP)
        .type(HTML);
      if (!checked.ok) {
        const { status, html } = refusal(checked.why);
        return reply.code(status).send(html);
      }
      if (checked.claims.usedAt !== null) return reply.code(200).send(usedPage());
      const pack = packAt(now.toISOString());
      return reply.code(200).send(confirmPage(describe(pack, checked.claims), checked.claims.channel));
    },
  );

  app.post<{ Params: { token: string } }>(
    "/u/:token",
    {
      schema: { hide: true, params: tokenParams },
      // The person's own opt-out, by the signed token in the link: a right, not a use of the record.
      config: {
        use: { callers: { public: true }, personal: true, action: "collect", purpose: "none", touches: [] },
      },
    },
    async (request, reply) => {
      const now = clock();
      const fields = formFields(request.body, request.headers["content-type"]);
      const oneClick = fields.get("List-Unsubscribe") === "One-Click";
      const scope: Scope = fields.get("scope") === "channel" ? "channel" : "target";
      const pack = packAt(now.toISOString());
      const outcome = await unsubscribeByToken(
        db,
        pack,
        request.params.token,
        { via: oneClick ? "one-click" : "form", scope: oneClick ? "target" : scope },
        { actor: "system:unsubscribe-link", now },
      );
      reply
        .header("cache-control", "no-store")
        .header("referrer-policy", "no-referrer")
        .header("content-security-policy", PAGE_CSP)
        .type(HTML);
      if (!outcome.ok) {
        const { status, html } = refusal(outcome.why === "address_mismatch" ? "forged" : outcome.why);
        return reply.code(status).send(html);
      }
      const what = scope === "channel" && !oneClick ? "marketing" : describe(pack, outcome.claims);
      return reply.code(200).send(donePage(what, outcome.claims.channel, outcome.already));
    },
  );

  const staffOrHook = async (
    request: FastifyRequest,
    reply: Parameters<ReturnType<Authenticator["requireRole"]>>[1],
  ) => {
    const presented = request.headers[HOOK_SECRET_HEADER];
    if (typeof presented === "string" && opts.hookSecret !== null) {
      const a = Buffer.from(presented);
      const b = Buffer.from(opts.hookSecret);
      if (a.length === b.length && timingSafeEqual(a, b)) return;
      throw new PledgeError(
        "PLEDGE_AUTH_INVALID",
        `the ${HOOK_SECRET_HEADER} header is not the configured secret`,
      );
    }
    await auth.requireRole("any").call(app, request, reply);
  };

  app.post<{ Body: { subject?: string; from?: string; channel: Channel } }>(
    "/v1/unsubscribe/mailto",
    {
      config: {
        use: {
          callers: { staff: "any", hook: true },
          personal: true,
          action: "collect",
          purpose: "none",
          touches: ["email"],
        },
      },
      preHandler: staffOrHook,
      schema: {
        tags: ["unsubscribe"],
        security: [{ apiKey: [] }],
        summary: "An unsubscribe request sent to the List-Unsubscribe mailbox",
        description:
          "Staff (any API key) or an inbound-mail hook (X-Pledge-Hook-Secret: PLEDGE_WEBHOOK_SECRET). " +
          "A Subject line carrying unsubscribe-<token> applies that token (and, with `from`, only if the token was " +
          "issued for that address); without a token, `from` names the address to stop.",
        body: mailtoBody,
        response: { 200: mailtoResponse, ...errors },
      },
    },
    async (request) => {
      const now = clock();
      const pack = packAt(now.toISOString());
      const { subject, from, channel } = request.body;
      const caller = request.caller;
      const actor = caller ? auditActor(actingOf(request).actor) : "system:inbound-mail";
      const token = subject === undefined ? null : tokenInSubject(subject);
      if (token !== null) {
        const outcome = await unsubscribeByToken(
          db,
          pack,
          token,
          { via: "mailto", ...(from ? { expectedAddressIndex: indexOrThrow(vault, channel, from) } : {}) },
          { actor, now },
        );
        if (!outcome.ok) {
          if (outcome.why === "expired")
            throw new PledgeError("PLEDGE_UNSUBSCRIBE_TOKEN_EXPIRED", "the unsubscribe token has expired");
          throw new PledgeError(
            "PLEDGE_UNSUBSCRIBE_TOKEN_INVALID",
            outcome.why === "address_mismatch"
              ? "the unsubscribe token was issued for another address"
              : "the unsubscribe token is not valid",
          );
        }
        return {
          outcome: outcome.already ? "already_unsubscribed" : "unsubscribed",
          via: "token",
          subjects: outcome.already ? 0 : 1,
          suppressed: false,
        };
      }
      if (!from) {
        throw new PledgeError(
          "PLEDGE_VALIDATION_FAILED",
          "give a subject line carrying unsubscribe-<token>, or the address in `from`",
        );
      }
      const result = await unsubscribeAddress(
        db,
        vault,
        pack,
        { channel, address: from, source: caller ? "staff" : "email-link", via: "mailto" },
        { actor, now },
      );
      return {
        outcome: result.subjects === 0 && !result.suppressed ? "already_unsubscribed" : "unsubscribed",
        via: "address",
        ...result,
      };
    },
  );
}
