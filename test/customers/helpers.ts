import { randomUUID } from "node:crypto";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";

/**
 * Customers' side of the HTTP API in tests: sign-up bodies, the cookies a response sets, and the
 * Cookie header a browser would send back. Requests go to localhost over plain HTTP, which the
 * account routes allow for development; TLS is tested on its own.
 */
export const PASSWORD = "violet harbour tractor 42";

export function signupBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    email: `c-${randomUUID().slice(0, 8)}@example.com`,
    password: PASSWORD,
    firstName: "Ada",
    lastName: "Lovelace",
    birthDate: "1990-04-01",
    ...overrides,
  };
}

export interface SetCookie {
  readonly name: string;
  readonly value: string;
  readonly maxAge?: number;
  readonly path?: string;
  readonly secure?: boolean;
  readonly httpOnly?: boolean;
  readonly sameSite?: string;
}

export function cookiesOf(res: LightMyRequestResponse): Map<string, SetCookie> {
  return new Map((res.cookies as SetCookie[]).map((c) => [c.name, c]));
}

/** The raw Set-Cookie header values of a response. */
export function setCookieHeaders(res: LightMyRequestResponse): string[] {
  const header = res.headers["set-cookie"];
  return header === undefined ? [] : Array.isArray(header) ? header : [String(header)];
}

export interface Signed {
  readonly subjectId: string;
  readonly customerNumber: string | null;
  readonly csrfToken: string;
  readonly session: string;
  readonly customer: string | undefined;
  /** The Cookie header a browser sends back. */
  readonly cookie: string;
  /** The known-device cookie's value, when the answer set one. */
  readonly device: string | undefined;
}

export function signedFrom(res: LightMyRequestResponse, previousCustomer?: string): Signed {
  const body = res.json() as { subjectId: string; customerNumber: string | null; csrfToken: string };
  const cookies = cookiesOf(res);
  const session = cookies.get("pledge_session")?.value ?? "";
  const customer = cookies.get("pledge_customer")?.value ?? previousCustomer;
  const cookie = [`pledge_session=${session}`, ...(customer ? [`pledge_customer=${customer}`] : [])].join(
    "; ",
  );
  const device = cookies.get("pledge_device")?.value;
  return { ...body, session, customer, cookie, device };
}

export async function signUp(app: FastifyInstance, overrides: Record<string, unknown> = {}) {
  const body = signupBody(overrides);
  const res = await app.inject({ method: "POST", url: "/v1/account/signup", payload: body });
  return { res, body };
}

/** Signs up and returns the session, failing the test when sign-up is refused. */
export async function signedUp(app: FastifyInstance, overrides: Record<string, unknown> = {}) {
  const { res, body } = await signUp(app, overrides);
  if (res.statusCode !== 201) throw new Error(`sign-up answered ${res.statusCode}: ${res.body}`);
  return { ...signedFrom(res), email: body.email as string };
}

export function signIn(
  app: FastifyInstance,
  email: string,
  password: string,
  opts: { ip?: string; cookie?: string } = {},
) {
  return app.inject({
    method: "POST",
    url: "/v1/account/signin",
    payload: { email, password },
    remoteAddress: opts.ip ?? "203.0.113.7",
    headers: opts.cookie ? { cookie: opts.cookie } : {},
  });
}

/** Headers of a signed-in browser request; `csrf: false` leaves the token out. */
export function as(s: Signed, extra: Record<string, string> = {}, csrf = true): Record<string, string> {
  return { cookie: s.cookie, ...(csrf ? { "x-csrf-token": s.csrfToken } : {}), ...extra };
}
