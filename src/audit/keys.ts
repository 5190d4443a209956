import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { publicKeyOfVkey } from "./note.ts";

/** The Ed25519 key that signs checkpoints. It lives in a file, never in the database. */
export interface AuditSigner {
  readonly keyId: string;
  readonly privateKey: KeyObject;
}

/** `<name>.key` → `<name>.pub`; any other name gets `.pub` appended. */
export function publicKeyFileFor(keyFile: string): string {
  return keyFile.endsWith(".key") ? `${keyFile.slice(0, -".key".length)}.pub` : `${keyFile}.pub`;
}

/** First 16 hex chars of SHA-256 over the public key's SPKI DER encoding. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("hex").slice(0, 16);
}

/**
 * Loads the signing key from `keyFile` (PKCS#8 PEM). If the file does not exist, generates an
 * Ed25519 pair, writes the private key with mode 0600 (refusing to overwrite a file created
 * meanwhile) and the public key (SPKI PEM) beside it, and reports `created: true`.
 */
export function loadOrCreateSigner(keyFile: string): { signer: AuditSigner; created: boolean } {
  try {
    return { signer: signerFromPem(readFileSync(keyFile, "utf8")), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
  writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600, flag: "wx" });
  writeFileSync(publicKeyFileFor(keyFile), publicKey.export({ type: "spki", format: "pem" }), {
    mode: 0o644,
  });
  return { signer: { keyId: keyIdOf(publicKey), privateKey }, created: true };
}

export function signerFromPem(pem: string): AuditSigner {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error("audit signing key is not Ed25519");
  return { keyId: keyIdOf(createPublicKey(privateKey)), privateKey };
}

/**
 * Reads a public key: SPKI PEM (the `.pub` file beside the signing key) or a verifier key line as
 * GET /v1/audit/checkpoint/key publishes it (note.ts). Returns null if the file does not exist.
 */
export function readPublicKey(file: string): KeyObject | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  return text.trimStart().startsWith("-----BEGIN") ? createPublicKey(text) : publicKeyOfVkey(text);
}
