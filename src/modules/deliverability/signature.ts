import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The deliverability webhook's signature: `X-Pledge-Signature: sha256=<hex>`, the HMAC-SHA256 of
 * the raw request body (the bytes as sent, before any parsing) under PLEDGE_WEBHOOK_SECRET.
 * Compared in constant time. Without a configured secret nothing verifies.
 */
export const SIGNATURE_HEADER = "x-pledge-signature";

export function signBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export function verifySignature(secret: string | null, body: Buffer, header: string | undefined): boolean {
  if (secret === null || header === undefined) return false;
  const given = Buffer.from(header.trim(), "utf8");
  const expected = Buffer.from(signBody(secret, body), "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
