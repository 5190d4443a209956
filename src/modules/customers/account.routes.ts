import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { csrfTokenFor, requireCsrf } from "../../http/csrf.ts";
import { PledgeError } from "../../errors.ts";
import { refuseUnlessAdmitted, TokenBuckets } from "../../http/rate-limit.ts";
import { FailureLimiter, type Admission } from "../../throttle/failures.ts";
import { sourceOf } from "../../throttle/source.ts";
import {
  DEVICE_COOKIE,
  SESSION_COOKIE,
  clearSessionCookie,
  readCookie,
  requireSecureTransport,
  setCustomerCookie,
  setDeviceCookie,
  setSessionCookie,
  type CustomerSession,
} from "../../http/session.ts";
import { customerSession } from "../../http/gpc.ts";
import { errorOf } from "../../use/refusal.ts";
import { weakPassword } from "./account.errors.ts";
import { sweepBackoff } from "./backoff.ts";
import { RECORD_FIELDS } from "../subjects/subjects.ts";
import type { CustomersDeps } from "./customers.service.ts";
import { changePassword, signOut } from "./password.ts";
import { signIn } from "./signin.ts";
import { signUp, type SignupInput } from "./signup.ts";
import { csrfResponse, passwordBody, signinBody, signupBody, sessionResponse } from "./customers.schemas.ts";
import { findSession, type NewSession } from "./sessions.ts";

export interface AccountRoutesOptions {
  readonly deps: CustomersDeps;
}

const errors = Object.fromEntries(
  [400, 401, 403, 404, 409, 429].map((s) => [s, { $ref: "Problem#" }]),
) as Record<number, { $ref: string }>;
const tags = ["account"];

/**
 * Sign-up, sign-in, sign-out, the CSRF token and password change: a customer's own access
 * (docs/customers.md). Every route needs HTTPS (or localhost); routes that act on a session need
 * the session cookie, and those that change something also the X-CSRF-Token.
 */
export async function accountRoutes(app: FastifyInstance, opts: AccountRoutesOptions): Promise<void> {
  const { deps } = opts;
  const { settings, clock } = deps;
  const now = () => clock().getTime();
  const perIpAndAccount = new TokenBuckets(settings.signinPerIpAndAccount, now);
  const perIp = new TokenBuckets(settings.signinPerIp, now);
  const signups = new TokenBuckets(settings.signupPerIp, now);
  // Failures per source, shared by every node; the account back-off lives in signIn.
  const failures = new FailureLimiter(deps.db, "signin", settings.signinFailuresPerSource, now);
  let failed = 0;
  const countFailure = async (source: string) => {
    await failures.fail(source);
    if (++failed % 256 === 0) await sweepBackoff(deps.db, clock(), settings.backoff);
  };
  const session = customerSession(deps);
  const csrf = requireCsrf();

  app.decorateRequest("customer", null);
  app.addHook("onRequest", requireSecureTransport(settings));

  const answerSession = (
    reply: FastifyReply,
    subjectId: string,
    customerNumber: string | null,
    s: NewSession,
  ) => {
    setSessionCookie(reply, s.id, s.expiresAt, clock());
    if (customerNumber !== null) setCustomerCookie(reply, customerNumber, settings.customerCookieMaxAgeMs);
    return { subjectId, customerNumber, csrfToken: csrfTokenFor(s.id), expiresAt: s.expiresAt.toISOString() };
  };

  app.post<{ Body: SignupInput }>(
    "/v1/account/signup",
    {
      config: {
        use: {
          callers: { public: true },
          personal: true,
          action: "collect",
          purpose: "self-service",
          touches: RECORD_FIELDS,
        },
      },
      schema: {
        tags,
        summary: "Register as a customer",
        body: signupBody,
        response: { 201: sessionResponse, ...errors },
      },
    },
    async (request, reply) => {
      limit(reply, signups.take(request.ip));
      const result = await signUp(deps, request.body);
      if (!result.ok) {
        if (result.kind === "weak_password") throw weakPassword(result.problem);
        if (result.kind === "no_self_service")
          throw new PledgeError("PLEDGE_NOT_FOUND", "this company has no customer accounts");
        throw errorOf(result);
      }
      setDeviceCookie(reply, result.device.id, result.device.expiresAt, clock());
      return reply
        .code(201)
        .send(answerSession(reply, result.subjectId, result.customerNumber, result.session));
    },
  );

  app.post<{ Body: { email: string; password: string } }>(
    "/v1/account/signin",
    {
      // The person's own credentials, checked against the account: no use of the record.
      config: { use: { callers: { public: true }, personal: false } },
      schema: { tags, summary: "Sign in", body: signinBody, response: { 200: sessionResponse, ...errors } },
    },
    async (request, reply) => {
      const account = createHash("sha256").update(request.body.email.trim().toLowerCase()).digest("hex");
      limit(reply, perIpAndAccount.take(`${request.ip}|${account}`));
      limit(reply, perIp.take(request.ip));
      const source = sourceOf(request.ip);
      limit(reply, await failures.check(source));
      const result = await signIn(deps, {
        ...request.body,
        replacing: readCookie(request, SESSION_COOKIE),
        device: readCookie(request, DEVICE_COOKIE),
      });
      if (!result.ok) {
        await countFailure(source);
        if (result.reason === "backoff") throw signinBackoff(reply, result.retryAfterMs);
        throw new PledgeError("PLEDGE_SIGNIN_FAILED", "the email address or password is not right");
      }
      setDeviceCookie(reply, result.device.id, result.device.expiresAt, clock());
      return answerSession(reply, result.subjectId, result.customerNumber, result.session);
    },
  );

  app.post(
    "/v1/account/signout",
    {
      config: { use: { callers: { customer: true }, personal: false } },
      preHandler: [session, csrf],
      schema: { tags, summary: "Sign out", response: { 204: { type: "null" }, ...errors } },
    },
    async (request, reply) => {
      const { subjectId, sessionId } = request.customer as CustomerSession;
      await signOut(deps, subjectId, sessionId);
      clearSessionCookie(reply);
      return reply.code(204).send();
    },
  );

  app.get(
    "/v1/account/csrf",
    {
      config: { use: { callers: { customer: true }, personal: false } },
      preHandler: session,
      schema: { tags, summary: "The session's CSRF token", response: { 200: csrfResponse, ...errors } },
    },
    async (request) => {
      const { sessionId } = request.customer as CustomerSession;
      const live = await findSession(deps.db, sessionId, clock());
      return { csrfToken: csrfTokenFor(sessionId), expiresAt: (live?.expiresAt ?? clock()).toISOString() };
    },
  );

  app.post<{ Body: { currentPassword: string; newPassword: string } }>(
    "/v1/account/password",
    {
      config: { use: { callers: { customer: true }, personal: false } },
      preHandler: [session, csrf],
      schema: {
        tags,
        summary: "Change the password (ends every other session)",
        body: passwordBody,
        response: { 200: sessionResponse, ...errors },
      },
    },
    async (request: FastifyRequest<{ Body: { currentPassword: string; newPassword: string } }>, reply) => {
      const { subjectId } = request.customer as CustomerSession;
      const source = sourceOf(request.ip);
      limit(reply, await failures.check(source));
      const result = await changePassword(deps, subjectId, {
        current: request.body.currentPassword,
        next: request.body.newPassword,
        device: readCookie(request, DEVICE_COOKIE),
      });
      if (!result.ok) {
        if (result.kind === "weak_password") throw weakPassword(result.problem);
        await countFailure(source);
        if (result.kind === "backoff") throw signinBackoff(reply, result.retryAfterMs);
        throw new PledgeError("PLEDGE_REAUTH_FAILED", "the current password is not right");
      }
      return answerSession(reply, subjectId, null, result.session);
    },
  );
}

function limit(reply: FastifyReply, take: Admission): void {
  refuseUnlessAdmitted(reply, take);
}

/**
 * The answer during an account name's back-off: 429 with Retry-After in whole seconds. The same
 * for names with and without an account; it says nothing of the password, which was not checked.
 */
export function signinBackoff(reply: FastifyReply, retryAfterMs: number): PledgeError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  void reply.header("retry-after", String(seconds));
  return new PledgeError(
    "PLEDGE_SIGNIN_BACKOFF",
    `too many failed sign-ins for this account name; retry in ${seconds} s, or sign in from a device that signed in before`,
  );
}
