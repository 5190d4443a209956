import type { FastifyInstance, FastifyReply } from "fastify";
import type { Kysely } from "kysely";
import { STAFF_COOKIE, type Authenticator } from "../../http/auth.ts";
import { csrfTokenFor } from "../../http/csrf.ts";
import { refuseUnlessAdmitted } from "../../http/rate-limit.ts";
import {
  readCookie,
  requireSecureTransport,
  serializeCookie,
  type TransportOptions,
} from "../../http/session.ts";
import type { Vault } from "../../crypto/vault.types.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { FailureLimiter, type FailureLimit } from "../../throttle/failures.ts";
import { sourceOf } from "../../throttle/source.ts";
import { PledgeError } from "../../errors.ts";
import { findStaffMember as findStaff, recordAttestation } from "./staff.service.ts";
import {
  completeSetup,
  endSession,
  invite,
  loginOf,
  setupSecret,
  signIn,
  type StaffSession,
} from "./signin.ts";
import { ADMIN_ROLE } from "./staff.ts";

export interface ConsoleRoutesOptions {
  readonly db: Kysely<Database>;
  readonly vault: Vault;
  readonly auth: Authenticator;
  readonly clock: () => Date;
  readonly currentPack: () => PolicyPack;
  readonly transport: TransportOptions;
}

/** 10 failed sign-ins or set-ups a minute per source address, on all nodes together. */
export const STAFF_SIGNIN_FAILURES: FailureLimit = Object.freeze({ capacity: 10, perMs: 60_000 });

const tags = ["console"];
const problems = Object.fromEntries(
  [400, 401, 403, 404, 409, 429].map((s) => [s, { $ref: "Problem#" }]),
) as Record<number, { $ref: string }>;
const text = (max: number) => ({ type: "string", minLength: 1, maxLength: max }) as const;
const PUBLIC = { callers: { public: true }, personal: false } as const;
const ANY_STAFF = { callers: { staff: "any" }, personal: false } as const;

const meSchema = {
  type: "object",
  required: ["staffId", "displayName", "role", "attestedAt", "attestation", "purposes", "roles", "csrfToken"],
  properties: {
    staffId: { type: "string", format: "uuid" },
    displayName: { type: "string" },
    role: { type: "string" },
    attestedAt: { type: ["string", "null"], format: "date-time" },
    attestation: {
      type: "object",
      required: ["required", "clauses"],
      properties: {
        required: {
          type: "boolean",
          description: "the pack requires an attestation before personal data (ZZ-04)",
        },
        clauses: {
          type: "array",
          items: {
            type: "object",
            required: ["id", "title", "text"],
            properties: { id: { type: "string" }, title: { type: "string" }, text: { type: "string" } },
          },
        },
      },
    },
    purposes: {
      type: "array",
      items: { type: "string" },
      description: "the purposes the pack gives the member's role (every purpose for admin)",
    },
    roles: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "name"],
        properties: { id: { type: "string" }, name: { type: "string" } },
      },
      description: "the roles a staff member can be given: the pack's staff roles, then admin",
    },
    csrfToken: {
      type: ["string", "null"],
      description: "the session's token for X-CSRF-Token; null when the caller used an API key",
    },
  },
} as const;

const sessionSchema = {
  type: "object",
  required: ["staffId", "csrfToken", "expiresAt"],
  properties: {
    staffId: { type: "string", format: "uuid" },
    csrfToken: { type: "string" },
    expiresAt: { type: "string", format: "date-time" },
  },
} as const;

/**
 * The console's sign-in (docs/console.md): invitations made by admins, the set-up a member does
 * once (TOTP key, password), sign-in and sign-out with the `pledge_staff` cookie, who is signed
 * in, and the member's own confidentiality attestation (ZZ-04). Served over HTTPS only, like the
 * customer's account routes.
 */
export async function consoleRoutes(app: FastifyInstance, opts: ConsoleRoutesOptions): Promise<void> {
  const { db, clock } = opts;
  const deps = { db, vault: opts.vault, clock };
  const failures = new FailureLimiter(db, "staff_signin", STAFF_SIGNIN_FAILURES, () => clock().getTime());
  app.addHook("onRequest", requireSecureTransport(opts.transport));

  const answer = (reply: FastifyReply, session: StaffSession) => {
    const maxAgeSeconds = (session.expiresAt.getTime() - clock().getTime()) / 1000;
    void reply.header(
      "set-cookie",
      serializeCookie(STAFF_COOKIE, session.id, { maxAgeSeconds, httpOnly: true }),
    );
    return {
      staffId: session.staff.id,
      csrfToken: csrfTokenFor(session.id),
      expiresAt: session.expiresAt.toISOString(),
    };
  };

  /** Runs `attempt`, counting a refusal against the source's failures. */
  const limited = async <T>(ip: string, reply: FastifyReply, attempt: () => Promise<T>): Promise<T> => {
    const source = sourceOf(ip);
    refuseUnlessAdmitted(reply, await failures.check(source));
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof PledgeError && error.code !== "PLEDGE_PASSWORD_WEAK") await failures.fail(source);
      throw error;
    }
  };

  app.post<{ Params: { id: string }; Body: { username: string } }>(
    "/v1/staff/:id/invitation",
    {
      config: { use: { callers: { staff: [ADMIN_ROLE] }, personal: false } },
      schema: {
        tags,
        security: [{ apiKey: [] }],
        summary: "Invite a staff member to sign in to the console (or to set up sign-in again)",
        description:
          "Answers a set-up code, shown this once, good for 72 hours. The member opens /console/setup with the username and the code. Their current password and authenticator key, if any, stay until the set-up is completed.",
        params: { type: "object", required: ["id"], properties: { id: { type: "string", format: "uuid" } } },
        body: {
          type: "object",
          additionalProperties: false,
          required: ["username"],
          properties: { username: text(63) },
        },
        response: {
          201: {
            type: "object",
            required: ["staffId", "username", "setupCode", "expiresAt"],
            properties: {
              staffId: { type: "string", format: "uuid" },
              username: { type: "string" },
              setupCode: { type: "string", description: "shown this once" },
              expiresAt: { type: "string", format: "date-time" },
            },
          },
          ...problems,
        },
      },
    },
    async (request, reply) => {
      const made = await invite(
        deps,
        request.params.id,
        request.body.username,
        `staff:${request.caller?.staffId}`,
      );
      return reply.code(201).send({ ...made, expiresAt: made.expiresAt.toISOString() });
    },
  );

  app.get<{ Params: { id: string } }>(
    "/v1/staff/:id/login",
    {
      config: { use: { callers: { staff: [ADMIN_ROLE] }, personal: false } },
      schema: {
        tags,
        security: [{ apiKey: [] }],
        summary: "A staff member's console sign-in: username, whether set up, whether an invitation is open",
        params: { type: "object", required: ["id"], properties: { id: { type: "string", format: "uuid" } } },
        response: {
          200: {
            type: "object",
            required: ["username", "canSignIn", "invitationOpen"],
            properties: {
              username: { type: ["string", "null"] },
              canSignIn: { type: "boolean" },
              invitationOpen: { type: "boolean" },
            },
          },
          ...problems,
        },
      },
    },
    async (request) => {
      if ((await findStaff(db, request.params.id)) === null)
        throw new PledgeError("PLEDGE_NOT_FOUND", "no staff member has this id");
      return (
        (await loginOf(db, request.params.id, clock())) ?? {
          username: null,
          canSignIn: false,
          invitationOpen: false,
        }
      );
    },
  );

  app.post<{ Body: { username: string; setupCode: string } }>(
    "/v1/console/setup/secret",
    {
      config: { use: PUBLIC },
      schema: {
        tags,
        summary: "The authenticator key an invitation will install (text, otpauth URI and QR code)",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["username", "setupCode"],
          properties: { username: text(63), setupCode: text(64) },
        },
        response: {
          200: {
            type: "object",
            required: ["secret", "uri", "qrSvg"],
            properties: { secret: { type: "string" }, uri: { type: "string" }, qrSvg: { type: "string" } },
          },
          ...problems,
        },
      },
    },
    async (request, reply) =>
      limited(request.ip, reply, () => setupSecret(deps, request.body.username, request.body.setupCode)),
  );

  app.post<{ Body: { username: string; setupCode: string; password: string; code: string } }>(
    "/v1/console/setup",
    {
      config: { use: PUBLIC },
      schema: {
        tags,
        summary: "Complete an invitation: choose a password, confirm the authenticator, and sign in",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["username", "setupCode", "password", "code"],
          properties: { username: text(63), setupCode: text(64), password: text(1024), code: text(12) },
        },
        response: { 200: sessionSchema, ...problems },
      },
    },
    async (request, reply) => {
      const session = await limited(request.ip, reply, () => completeSetup(deps, request.body));
      opts.auth.forget();
      return answer(reply, session);
    },
  );

  app.post<{ Body: { username: string; password: string; code: string } }>(
    "/v1/console/signin",
    {
      config: { use: PUBLIC },
      schema: {
        tags,
        summary: "Sign in to the console with username, password and authenticator code",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["username", "password", "code"],
          properties: { username: text(63), password: text(1024), code: text(12) },
        },
        response: { 200: sessionSchema, ...problems },
      },
    },
    async (request, reply) =>
      answer(reply, await limited(request.ip, reply, () => signIn(deps, request.body))),
  );

  app.post(
    "/v1/console/signout",
    {
      config: { use: PUBLIC },
      schema: {
        tags,
        summary: "Sign out of the console (ends the session; idempotent)",
        response: { 204: { type: "null" } },
      },
    },
    async (request, reply) => {
      const id = readCookie(request, STAFF_COOKIE);
      if (id !== null) await endSession(db, id, clock());
      void reply.header(
        "set-cookie",
        serializeCookie(STAFF_COOKIE, "", { maxAgeSeconds: 0, httpOnly: true }),
      );
      return reply.code(204).send();
    },
  );

  const me = async (staffId: string, sessionId: string | null) => {
    const staff = await findStaff(db, staffId);
    if (staff === null) throw new PledgeError("PLEDGE_NOT_FOUND", "no staff member has this id");
    const pack = opts.currentPack();
    const staffClauses = new Set(pack.staff.clauses);
    const purposes =
      staff.role === ADMIN_ROLE
        ? pack.purposes.map((p) => p.id)
        : (pack.staff.roles.find((r) => r.id === staff.role)?.purposes ?? []);
    return {
      staffId: staff.id,
      displayName: staff.displayName,
      role: staff.role,
      attestedAt: staff.attestedAt?.toISOString() ?? null,
      attestation: {
        required: pack.staff.attestation_required,
        clauses: pack.clauses
          .filter((c) => staffClauses.has(c.id))
          .map((c) => ({ id: c.id, title: c.title, text: c.text })),
      },
      purposes: [...purposes],
      roles: [
        ...pack.staff.roles.map((r) => ({ id: r.id, name: r.name })),
        { id: ADMIN_ROLE, name: "Administrator" },
      ],
      csrfToken: sessionId === null ? null : csrfTokenFor(sessionId),
    };
  };

  app.get(
    "/v1/console/me",
    {
      config: { use: ANY_STAFF },
      schema: {
        tags,
        security: [{ apiKey: [] }],
        summary: "Who is signed in: role, purposes, attestation, and the session's CSRF token",
        response: { 200: meSchema, ...problems },
      },
    },
    async (request) => {
      const caller = request.caller!;
      const sessionId = caller.keyId.startsWith("session:") ? readCookie(request, STAFF_COOKIE) : null;
      return me(caller.staffId, sessionId);
    },
  );

  app.post<{ Body: { confirm: true } }>(
    "/v1/console/attestation",
    {
      config: { use: ANY_STAFF },
      schema: {
        tags,
        security: [{ apiKey: [] }],
        summary: "Sign one's own confidentiality attestation (ZZ-04)",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["confirm"],
          properties: { confirm: { const: true, description: "the member confirms the attestation's text" } },
        },
        response: { 200: meSchema, ...problems },
      },
    },
    async (request) => {
      const caller = request.caller!;
      await recordAttestation(db, caller.staffId, { actor: `staff:${caller.staffId}`, now: clock() });
      opts.auth.forget();
      const sessionId = caller.keyId.startsWith("session:") ? readCookie(request, STAFF_COOKIE) : null;
      return me(caller.staffId, sessionId);
    },
  );
}
