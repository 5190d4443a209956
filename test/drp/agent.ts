import sodium from "libsodium-wrappers";

/**
 * An authorised agent as the tests play it, written from the DRP 1.0 text and independent of
 * Pledge's code: keys and signatures from libsodium (compiled to WASM; `crypto_sign` is the
 * combined mode the spec names), JSON as Python's `json.dumps` writes it (", " and ": "
 * separators, non-ASCII escaped), timestamps as Python's `isoformat()`. Pledge verifies with
 * node:crypto over the bytes as sent; these bytes are not what `JSON.stringify` would make.
 */
export interface TestAgent {
  readonly id: string;
  /** The verify key, base64 (as the service directory gives it). */
  readonly verifyKey: string;
  readonly verifyKeyHex: string;
  /** base64(signature || json.dumps(claims)). */
  sign(claims: unknown): string;
  /** base64(signature || bytes), for bodies no JSON writer would make. */
  signBytes(bytes: Uint8Array): string;
}

export async function makeAgent(id: string): Promise<TestAgent> {
  await sodium.ready;
  const keys = sodium.crypto_sign_keypair();
  const signBytes = (bytes: Uint8Array) =>
    sodium.to_base64(sodium.crypto_sign(bytes, keys.privateKey), sodium.base64_variants.ORIGINAL);
  return {
    id,
    verifyKey: sodium.to_base64(keys.publicKey, sodium.base64_variants.ORIGINAL),
    verifyKeyHex: sodium.to_hex(keys.publicKey),
    sign: (claims) => signBytes(new TextEncoder().encode(pyJson(claims))),
    signBytes,
  };
}

/** Python's `json.dumps(value)` with its defaults. */
export function pyJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(pyJson).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${pyString(k)}: ${pyJson(v)}`).join(", ")}}`;
  }
  if (typeof value === "string") return pyString(value);
  return JSON.stringify(value);
}

function pyString(s: string): string {
  return JSON.stringify(s).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Python's `datetime.isoformat()` of an aware UTC datetime: microseconds and `+00:00`. */
export function pyTime(at: Date): string {
  return at.toISOString().replace(/\.(\d{3})Z$/, ".$1000+00:00");
}

/** The claims of an exercise (§2.01) from `agent` to `business`, issued `at`, valid 15 minutes. */
export function exerciseClaims(
  agent: string,
  business: string,
  at: Date,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    "agent-id": agent,
    "business-id": business,
    "issued-at": pyTime(at),
    "expires-at": pyTime(new Date(at.getTime() + 15 * 60_000)),
    "drp.version": "1.0",
    exercise: "sale:opt-out",
    regime: "ccpa",
    name: "Lovelace, Ada",
    email: "ada@example.com",
    ...extra,
  };
}

/** The claims of pair-wise key set-up (§2.05). */
export function setupClaims(agent: string, business: string, at: Date): Record<string, unknown> {
  return {
    "agent-id": agent,
    "business-id": business,
    "issued-at": pyTime(at),
    "expires-at": pyTime(new Date(at.getTime() + 15 * 60_000)),
    "drp.version": "1.0",
  };
}
