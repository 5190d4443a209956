import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { PolicyPack } from "../../policy/schema.ts";
import { ADMIN_ROLE } from "../../use/acting.ts";

/**
 * Staff members, API keys and their format. A key is `pk_<prefix>_<secret>`: the prefix (lower-case
 * letters and digits) finds the row, the secret (32 random bytes, base64url) proves possession. The
 * store keeps only the SHA-256 of the secret; the key is shown once, when it is made.
 */

export { ADMIN_ROLE } from "../../use/acting.ts";

export interface StaffMember {
  readonly id: string;
  readonly displayName: string;
  readonly role: string;
  readonly attestedAt: Date | null;
  readonly createdAt: Date;
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly staffId: string;
  readonly prefix: string;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
}

/** Who an API key belongs to, as the HTTP layer needs it. */
export interface Caller {
  readonly keyId: string;
  readonly staffId: string;
  readonly role: string;
  readonly attested: boolean;
}

export const API_KEY_PATTERN = /^pk_([a-z0-9]{4,16})_([A-Za-z0-9_-]{43})$/;

export interface ParsedKey {
  readonly prefix: string;
  readonly hash: string;
}

export function parseApiKey(key: string): ParsedKey | null {
  const match = API_KEY_PATTERN.exec(key);
  if (!match?.[1] || !match[2]) return null;
  return { prefix: match[1], hash: hashSecret(match[2]) };
}

export function generateApiKey(): { key: string; parsed: ParsedKey } {
  const prefix = randomBytes(6).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  return { key: `pk_${prefix}_${secret}`, parsed: { prefix, hash: hashSecret(secret) } };
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** Constant-time comparison of two hex digests of equal length. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Roles a staff member may hold under this pack: its staff roles, and admin. */
export function knownRole(pack: PolicyPack, role: string): boolean {
  return role === ADMIN_ROLE || pack.staff.roles.some((r) => r.id === role);
}

declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "staff.created": { staffId: string; role: string };
    "staff.attested": { staffId: string };
    "staff.key_revoked": { staffId: string; keyId: string };
  }
}
