import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { Channel } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";

/**
 * Unsubscribe tokens: `<id>.<mac>`, both base64url. `id` is 16 random bytes naming a row of
 * `unsubscribe_tokens` (subject, campaign, channel, purpose, topic, the address's blind index,
 * expiry); `mac` is HMAC-SHA256 over `id` under the shared key of `unsubscribe_keys`, truncated
 * to 128 bits. The token names no address and no subject: it is opaque in URLs and logs. A token
 * whose mac does not match is refused before any lookup, in constant time.
 */
type Db = Kysely<Database> | Transaction<Database>;

export const KEY_ID = "v1";
/** How long a link works. RFC 8058 senders keep links working; CAN-SPAM asks for at least 30 days. */
export const TOKEN_TTL_DAYS = 180;
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/;

export interface TokenClaims {
  readonly tokenId: string;
  readonly subjectId: string;
  readonly campaignId: string | null;
  readonly channel: Channel;
  readonly purpose: string;
  readonly topic: string | null;
  readonly addressIndex: string | null;
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
}

export type TokenCheck =
  | { readonly ok: true; readonly claims: TokenClaims }
  | { readonly ok: false; readonly why: "forged" | "unknown" | "expired" };

const keys = new WeakMap<object, Buffer>();

/** The signing key, made on first use by whichever node gets there first; cached per store. */
export async function signingKey(db: Kysely<Database>): Promise<Buffer> {
  const cached = keys.get(db);
  if (cached) return cached;
  await db
    .insertInto("unsubscribe_keys")
    .values({ key_id: KEY_ID, secret: randomBytes(32).toString("base64url"), created_at: new Date() })
    .onConflict((oc) => oc.column("key_id").doNothing())
    .execute();
  const row = await db
    .selectFrom("unsubscribe_keys")
    .select("secret")
    .where("key_id", "=", KEY_ID)
    .executeTakeFirstOrThrow();
  const key = Buffer.from(row.secret, "base64url");
  keys.set(db, key);
  return key;
}

function mac(key: Buffer, id: string): string {
  return createHmac("sha256", key).update(`unsubscribe:${id}`).digest().subarray(0, 16).toString("base64url");
}

/** A purpose, derived from the signing key, for other secrets (e.g. the inbound hook's). */
export function derive(key: Buffer, label: string): Buffer {
  return createHmac("sha256", key).update(`derive:${label}`).digest();
}

export interface TokenInput {
  readonly subjectId: string;
  readonly campaignId: string | null;
  readonly channel: Channel;
  readonly purpose: string;
  readonly topic: string | null;
  readonly addressIndex: string | null;
}

/** Stores the claims and returns the signed token. */
export async function issueToken(db: Kysely<Database>, input: TokenInput, now: Date): Promise<string> {
  const key = await signingKey(db);
  const id = randomBytes(16).toString("base64url");
  await db
    .insertInto("unsubscribe_tokens")
    .values({
      token_id: id,
      subject_id: input.subjectId,
      campaign_id: input.campaignId,
      channel: input.channel,
      purpose: input.purpose,
      topic: input.topic,
      address_index: input.addressIndex,
      created_at: now,
      expires_at: new Date(now.getTime() + TOKEN_TTL_DAYS * 86_400_000),
    })
    .execute();
  return `${id}.${mac(key, id)}`;
}

/** Checks the signature, then the row and its expiry. Never throws on bad input. */
export async function checkToken(
  db: Kysely<Database>,
  token: string,
  now: Date,
  trx: Db = db,
  lock = false,
): Promise<TokenCheck> {
  if (!TOKEN_PATTERN.test(token)) return { ok: false, why: "forged" };
  const [id, given] = token.split(".") as [string, string];
  const expected = Buffer.from(mac(await signingKey(db), id));
  if (!timingSafeEqual(expected, Buffer.from(given))) return { ok: false, why: "forged" };
  let row = await trx
    .selectFrom("unsubscribe_tokens")
    .selectAll()
    .where("token_id", "=", id)
    .executeTakeFirst();
  if (row && lock) {
    // Locked by its full key, the person's shard alone (Citus locks no row found by another column).
    row = await trx
      .selectFrom("unsubscribe_tokens")
      .selectAll()
      .where("subject_id", "=", row.subject_id)
      .where("token_id", "=", id)
      .forUpdate()
      .executeTakeFirst();
  }
  if (!row) return { ok: false, why: "unknown" };
  if (row.expires_at.getTime() <= now.getTime()) return { ok: false, why: "expired" };
  return {
    ok: true,
    claims: {
      tokenId: row.token_id,
      subjectId: row.subject_id,
      campaignId: row.campaign_id,
      channel: row.channel,
      purpose: row.purpose,
      topic: row.topic,
      addressIndex: row.address_index,
      expiresAt: row.expires_at,
      usedAt: row.used_at,
    },
  };
}

/** Finds `unsubscribe-<token>` in a mail subject line (the mailto form of List-Unsubscribe). */
export function tokenInSubject(subject: string): string | null {
  return /unsubscribe-([A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22})(?![A-Za-z0-9_-])/.exec(subject)?.[1] ?? null;
}
