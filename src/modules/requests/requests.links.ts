import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../store/database.ts";
import { signingKey } from "../unsubscribe/tokens.ts";

/**
 * Links a request sends by email: `<id>.<mac>`, both base64url. `id` is 16 random bytes naming a
 * row of `request_links` (the request, what the link opens, its expiry, whether it was used);
 * `mac` is HMAC-SHA256 over `request-link:<id>` under the store's link key, truncated to 128
 * bits. The token names no person and no address: it is opaque in URLs and logs. The mac is
 * checked before any lookup, in constant time; a link can be rebuilt from its row to be sent.
 */
export type LinkPurpose = "verify" | "download";

/** How long a link works: a verification link a day, a download link a week. */
export const LINK_TTL_MS: Readonly<Record<LinkPurpose, number>> = {
  verify: 24 * 3_600_000,
  download: 7 * 24 * 3_600_000,
};

export const LINK_PATTERN = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/;

function mac(key: Buffer, id: string): string {
  return createHmac("sha256", key)
    .update(`request-link:${id}`)
    .digest()
    .subarray(0, 16)
    .toString("base64url");
}

/**
 * The link key (the store's, made on first use). Read it before opening a transaction: on the
 * embedded store a second statement outside the open transaction would wait for it.
 */
export function linkKey(db: Kysely<Database>): Promise<Buffer> {
  return signingKey(db);
}

export function tokenOf(key: Buffer, linkId: string): string {
  return `${linkId}.${mac(key, linkId)}`;
}

/** Makes a link for the request, in the caller's transaction; its token is built when it is sent. */
export async function makeLink(
  trx: Transaction<Database>,
  requestId: string,
  purpose: LinkPurpose,
  now: Date,
): Promise<{ linkId: string; expiresAt: Date }> {
  const linkId = randomBytes(16).toString("base64url");
  const expiresAt = new Date(now.getTime() + LINK_TTL_MS[purpose]);
  await trx
    .insertInto("request_links")
    .values({ link_id: linkId, request_id: requestId, purpose, expires_at: expiresAt, used_at: null })
    .execute();
  return { linkId, expiresAt };
}

export type LinkCheck =
  | { readonly ok: true; readonly linkId: string; readonly requestId: string }
  | { readonly ok: false; readonly why: "forged" | "unknown" | "expired" | "used" };

/**
 * Checks a token for `purpose`, locking its row in the caller's transaction: a forged mac, a link
 * for another purpose, an unknown, expired or (for `verify`) used link is refused.
 */
export async function checkLink(
  key: Buffer,
  trx: Transaction<Database>,
  token: string,
  purpose: LinkPurpose,
  now: Date,
): Promise<LinkCheck> {
  if (!LINK_PATTERN.test(token)) return { ok: false, why: "forged" };
  const [id, given] = token.split(".") as [string, string];
  const expected = Buffer.from(mac(key, id));
  if (!timingSafeEqual(expected, Buffer.from(given))) return { ok: false, why: "forged" };
  const row = await trx
    .selectFrom("request_links")
    .selectAll()
    .where("link_id", "=", id)
    .forUpdate()
    .executeTakeFirst();
  if (row === undefined || row.purpose !== purpose) return { ok: false, why: "unknown" };
  if (new Date(row.expires_at).getTime() <= now.getTime()) return { ok: false, why: "expired" };
  if (purpose === "verify" && row.used_at !== null) return { ok: false, why: "used" };
  return { ok: true, linkId: id, requestId: row.request_id };
}

export async function markUsed(trx: Transaction<Database>, linkId: string, now: Date): Promise<void> {
  await trx.updateTable("request_links").set({ used_at: now }).where("link_id", "=", linkId).execute();
}
