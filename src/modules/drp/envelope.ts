import { createHash, createPublicKey, verify, type KeyObject } from "node:crypto";
import { isStrictBase64 } from "./drp.ts";

/**
 * Opening a DRP 1.0 signed envelope: base64(Ed25519 signature || JSON bytes), libsodium's
 * "combined mode", sent as text/plain. Pure: the caller gives the agent's key, who is expected
 * and the instant. The rules, checked in this order (§3.07); the first that fails is the answer,
 * and each failure has a stable reason:
 *
 *   E1 `malformed_base64`  the body is strict standard base64 (whitespace around it ignored)
 *   E2 `too_short`         the bytes hold more than the 64-byte signature
 *   E3 `bad_signature`     the signature verifies under the agent's key over the bytes after it,
 *                          exactly as sent: the JSON is never re-serialised before verifying
 *   E4 `malformed_json`    those bytes are UTF-8 JSON of one object
 *   E5 `wrong_agent`       claim `agent-id` is the agent of the bearer token (or, at key set-up,
 *                          of the URL): one agent's envelope is no good to another
 *   E6 `wrong_business`    claim `business-id` is this business: an envelope for another business
 *                          is no good here
 *   E7 `issued_in_future`  `issued-at` is an ISO 8601 instant no later than now + the allowed skew
 *   E8 `expired`           `expires-at` is an ISO 8601 instant after now
 *   E9 `wrong_version`     `drp.version` is "1.0"
 *
 * E1–E4 are `openSigned` (a revoke's `{reason}` carries no claims); E5–E9 are `checkClaims`.
 * Replay (a second use of an accepted envelope) needs a store, so it is the caller's: `digest`
 * names the envelope and `expiresAt` says how long to remember it.
 */

export const ENVELOPE_FAILURES = [
  "malformed_base64",
  "too_short",
  "bad_signature",
  "malformed_json",
  "wrong_agent",
  "wrong_business",
  "issued_in_future",
  "expired",
  "wrong_version",
] as const;
export type EnvelopeFailure = (typeof ENVELOPE_FAILURES)[number];

export type Claims = Readonly<Record<string, unknown>>;

export type Opened<T> =
  | ({ readonly ok: true } & T)
  | { readonly ok: false; readonly failure: EnvelopeFailure; readonly detail: string };

export interface Signed {
  readonly claims: Claims;
  /** Hex SHA-256 of the signed JSON bytes: the same message always has the same digest. */
  readonly digest: string;
}

export interface Expected {
  readonly agentId: string;
  readonly businessId: string;
  readonly now: Date;
  /** How far ahead of our clock `issued-at` may be (the agent's clock may run fast). */
  readonly skewMs: number;
}

export interface Valid extends Signed {
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

const SIGNATURE_BYTES = 64;
/** Refuses bytes that are not UTF-8 (no replacement characters); holds no state between calls. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });
export const DEFAULT_SKEW_MS = 60_000;

/**
 * A verify key (32 raw bytes) as node:crypto takes it. Imported once per key buffer: an agent
 * read once (tokens.ts remembers it for a few seconds) costs one import however many envelopes
 * it sends; a buffer no longer referenced lets its key go.
 */
export function ed25519Key(raw: Buffer): KeyObject {
  const known = imported.get(raw);
  if (known !== undefined) return known;
  if (raw.length !== 32) throw new Error("an Ed25519 verify key is 32 bytes");
  const key = createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") },
    format: "jwk",
  });
  imported.set(raw, key);
  return key;
}

const imported = new WeakMap<Buffer, KeyObject>();

/** Whether `signature` is `key`'s Ed25519 signature of `message` (RFC 8032). */
export function signatureValid(key: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  return signature.length === SIGNATURE_BYTES && verify(null, message, key, signature);
}

/** E1–E9: the envelope's claims, when it is signed by `key` and meant for us, now. */
export function openEnvelope(body: string, key: KeyObject, expected: Expected): Opened<Valid> {
  const signed = openSigned(body, key);
  if (!signed.ok) return signed;
  const checked = checkClaims(signed.claims, expected);
  return checked.ok ? { ...checked, ok: true, claims: signed.claims, digest: signed.digest } : checked;
}

/** E1–E4: the JSON object signed by `key`. */
export function openSigned(body: string, key: KeyObject): Opened<Signed> {
  const text = body.trim();
  if (!isStrictBase64(text)) return fail("malformed_base64", "the body is not standard base64");
  const raw = Buffer.from(text, "base64");
  if (raw.length <= SIGNATURE_BYTES)
    return fail("too_short", `the body holds ${raw.length} bytes, no more than a signature`);
  const signature = raw.subarray(0, SIGNATURE_BYTES);
  const message = raw.subarray(SIGNATURE_BYTES);
  if (!signatureValid(key, message, signature))
    return fail("bad_signature", "the signature does not verify under the agent's key");
  let claims: unknown;
  try {
    claims = JSON.parse(UTF8.decode(message));
  } catch {
    return fail("malformed_json", "the signed message is not UTF-8 JSON");
  }
  if (typeof claims !== "object" || claims === null || Array.isArray(claims))
    return fail("malformed_json", "the signed message is not a JSON object");
  const digest = createHash("sha256").update(message).digest("hex");
  return { ok: true, claims: claims as Claims, digest };
}

/** E5–E9 over claims already verified. */
export function checkClaims(claims: Claims, expected: Expected): Opened<{ issuedAt: Date; expiresAt: Date }> {
  if (claims["agent-id"] !== expected.agentId)
    return fail("wrong_agent", `agent-id is not ${expected.agentId}, the agent of this token`);
  if (claims["business-id"] !== expected.businessId)
    return fail("wrong_business", `business-id is not ${expected.businessId}`);
  const issuedAt = instant(claims["issued-at"]);
  if (issuedAt === null) return fail("issued_in_future", "issued-at is not an ISO 8601 instant");
  if (issuedAt.getTime() > expected.now.getTime() + expected.skewMs)
    return fail("issued_in_future", "issued-at is later than now");
  const expiresAt = instant(claims["expires-at"]);
  if (expiresAt === null) return fail("expired", "expires-at is not an ISO 8601 instant");
  if (expected.now.getTime() >= expiresAt.getTime()) return fail("expired", "the envelope has expired");
  if (claims["drp.version"] !== "1.0") return fail("wrong_version", 'drp.version is not "1.0"');
  return { ok: true, issuedAt, expiresAt };
}

const ISO_8601 = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * An ISO 8601 date-time as agents write it: Python's `isoformat()` (microseconds, `+00:00`) or
 * JavaScript's (`Z`). Without an offset the instant is read as UTC, never as this server's zone.
 */
export function instant(value: unknown): Date | null {
  if (typeof value !== "string") return null;
  const m = ISO_8601.exec(value);
  if (m === null) return null;
  const [, date, time, zone] = m;
  const fraction = /\.(\d+)$/.exec(time!);
  const whole =
    fraction === null
      ? time!
      : `${time!.slice(0, -fraction[0].length)}.${fraction[1]!.slice(0, 3).padEnd(3, "0")}`;
  const offset = zone === undefined || zone === "Z" ? "Z" : zone.replace(/^([+-]\d{2})(\d{2})$/, "$1:$2");
  const at = new Date(`${date!}T${whole}${offset}`);
  return Number.isNaN(at.getTime()) ? null : at;
}

function fail(
  failure: EnvelopeFailure,
  detail: string,
): { ok: false; failure: EnvelopeFailure; detail: string } {
  return { ok: false, failure, detail };
}
