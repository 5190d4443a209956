import { Secret, TOTP } from "otpauth";
import type { Page } from "playwright-core";
import type { WebRun } from "./browser.ts";

/**
 * Staff at the console in browser tests: a member made through the API with an admin key, invited,
 * and set up (password and authenticator) either through the console's own pages or, for tests of
 * other pages, through the API from the page's browser context (so the context holds the session
 * cookie).
 */
export const STAFF_PASSWORD = "a long console passphrase 42";

/** The code an authenticator app shows for `secret`, `stepsAhead` 30-second steps from now. */
export function totpCode(secret: string, stepsAhead = 0): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({
    timestamp: Date.now() + stepsAhead * 30_000,
  });
}

export interface Invited {
  readonly staffId: string;
  readonly username: string;
  readonly setupCode: string;
}

let members = 0;

/** A new staff member of `role` with an open console invitation. */
export async function inviteStaff(
  run: WebRun,
  role: string,
  displayName = `Staff ${role}`,
): Promise<Invited> {
  const admin = await run.t.apiKey("admin");
  const headers = { authorization: `Bearer ${admin}` };
  const made = await run.t.app.inject({
    method: "POST",
    url: "/v1/staff",
    headers,
    payload: { displayName, role },
  });
  if (made.statusCode !== 201) throw new Error(`adding staff answered ${made.statusCode}: ${made.body}`);
  const staffId: string = made.json().id;
  const username = `${role.replace(/_/g, "-")}-${++members}`;
  const invited = await run.t.app.inject({
    method: "POST",
    url: `/v1/staff/${staffId}/invitation`,
    headers,
    payload: { username },
  });
  if (invited.statusCode !== 201) throw new Error(`inviting answered ${invited.statusCode}: ${invited.body}`);
  return { staffId, username, setupCode: invited.json().setupCode };
}

/**
 * Signs `page`'s browser context in as a new member of `role`, set up through the API, and
 * attested unless `attested: false`. Returns the member and their authenticator key.
 */
export async function signInStaff(
  run: WebRun,
  page: Page,
  role: string,
  options: { attested?: boolean; displayName?: string } = {},
): Promise<Invited & { secret: string }> {
  const member = await inviteStaff(run, role, options.displayName);
  const { username, setupCode } = member;
  const enrol = await page.request.post("/v1/console/setup/secret", { data: { username, setupCode } });
  const { secret } = (await enrol.json()) as { secret: string };
  const done = await page.request.post("/v1/console/setup", {
    data: { username, setupCode, password: STAFF_PASSWORD, code: totpCode(secret) },
  });
  if (!done.ok()) throw new Error(`console set-up answered ${done.status()}: ${await done.text()}`);
  if (options.attested !== false) {
    const { csrfToken } = (await done.json()) as { csrfToken: string };
    const attested = await page.request.post("/v1/console/attestation", {
      data: { confirm: true },
      headers: { "x-csrf-token": csrfToken },
    });
    if (!attested.ok()) throw new Error(`attestation answered ${attested.status()}`);
  }
  return { ...member, secret };
}

/** A page in a browser context of its own, signed in as a new member of `role` (see signInStaff). */
export async function staffPage(
  run: WebRun,
  role: string,
  options: { attested?: boolean; displayName?: string } = {},
): Promise<{ page: Page; member: Invited & { secret: string } }> {
  const page = await run.page();
  return { page, member: await signInStaff(run, page, role, options) };
}
