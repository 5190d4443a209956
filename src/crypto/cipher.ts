import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from "node:crypto";
import { decodeBase64UrlInto } from "./base64url.ts";
import { VaultError } from "./errors.ts";
import type { SubjectCipher } from "./vault.types.ts";

/**
 * AES-256-GCM as Pledge uses it, for fields and for wrapping data keys. A sealed value is the text
 * `v1.<iv>.<ciphertext‖tag>`: base64url parts, a random 96-bit IV, a 128-bit tag. The associated
 * data binds it to where it belongs (subject and field; or subject and master key version), so a
 * value copied elsewhere fails to open. The master key version of a wrapped data key is stored in
 * its own column (subject_keys.master_key_id), not in the text.
 */
const ALGORITHM = "aes-256-gcm";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = "v1.";

// IVs come from the CSPRNG in blocks: one randomBytes call per 1,024 IVs instead of one each.
// Every block is fresh and each IV is taken once, so uniqueness is that of random 96-bit IVs.
const IV_BLOCK = 1024;
let ivBlock = Buffer.alloc(0);
let ivOffset = 0;
function nextIv(): Buffer {
  if (ivOffset >= ivBlock.length) {
    ivBlock = randomBytes(IV_BYTES * IV_BLOCK);
    ivOffset = 0;
  }
  const iv = ivBlock.subarray(ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return iv;
}

export function seal(key: KeyObject, aad: Buffer, plaintext: Buffer | string): string {
  const iv = nextIv();
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(aad);
  const head = typeof plaintext === "string" ? cipher.update(plaintext, "utf8") : cipher.update(plaintext);
  const tail = cipher.final();
  const tag = cipher.getAuthTag();
  const body = tail.length === 0 ? Buffer.concat([head, tag]) : Buffer.concat([head, tail, tag]);
  return `${PREFIX}${iv.toString("base64url")}.${body.toString("base64url")}`;
}

// Decoding writes into buffers reused across calls, and the body is handed over as a cached view
// of its length: allocating the IV, tag and body views per call is a measurable part of the
// decrypt of a short field. Safe because nothing awaits between the writes and their last use.
const ivBuffer = Buffer.alloc(IV_BYTES);
const tagBuffer = Buffer.alloc(TAG_BYTES);
let scratch = Buffer.alloc(4096);
let bodyViews: Buffer[] = [];

function bodyView(length: number): Buffer {
  return (bodyViews[length] ??= scratch.subarray(0, length));
}

/** Names a sealed value in an error from its parts, e.g. (field, subject id); called only on error. */
export type Describe = (a: string, b: string) => string;

/**
 * Throws VaultError PLEDGE_CIPHERTEXT_INVALID for anything but a value sealed with this key and
 * aad. `what(a, b)` names the value in the error, built only then: no string per call.
 */
export function open(key: KeyObject, aad: Buffer, sealed: string, what: Describe, a: string, b = ""): Buffer {
  const dot = PREFIX.length + 16;
  if (!sealed.startsWith(PREFIX) || sealed.charCodeAt(dot) !== 46 /* . */) {
    throw new VaultError("PLEDGE_CIPHERTEXT_INVALID", `${what(a, b)} is not a v1 ciphertext`);
  }
  if (scratch.length < sealed.length) {
    scratch = Buffer.alloc(sealed.length);
    bodyViews = [];
  }
  const ivLength = decodeBase64UrlInto(sealed, PREFIX.length, dot, ivBuffer, 0);
  const decoded = decodeBase64UrlInto(sealed, dot + 1, sealed.length, scratch, 0);
  if (ivLength !== IV_BYTES || decoded < TAG_BYTES) {
    throw new VaultError(
      "PLEDGE_CIPHERTEXT_INVALID",
      `${what(a, b)} is not a v1 ciphertext, or is truncated`,
    );
  }
  const length = decoded - TAG_BYTES;
  for (let i = 0; i < TAG_BYTES; i += 1) tagBuffer[i] = scratch[length + i] as number;
  try {
    const decipher = createDecipheriv(ALGORITHM, key, ivBuffer);
    decipher.setAAD(aad);
    decipher.setAuthTag(tagBuffer);
    const head = decipher.update(bodyView(length));
    const tail = decipher.final();
    return tail.length === 0 ? head : Buffer.concat([head, tail]);
  } catch {
    throw new VaultError(
      "PLEDGE_CIPHERTEXT_INVALID",
      `${what(a, b)} does not open with its key (damaged, moved or forged)`,
    );
  }
}

const describeField: Describe = (field, subjectId) => `field ${field} of subject ${subjectId}`;
const describeDataKey: Describe = (subjectId) => `the data key of subject ${subjectId}`;

const wrapAad = (subjectId: string, masterKeyId: string): Buffer =>
  Buffer.from(`pledge-dek\u0000${subjectId}\u0000${masterKeyId}`, "utf8");

export function newDataKey(): KeyObject {
  return createSecretKey(randomBytes(32));
}

export function wrapDataKey(
  master: KeyObject,
  masterKeyId: string,
  subjectId: string,
  dataKey: KeyObject,
): string {
  return seal(master, wrapAad(subjectId, masterKeyId), dataKey.export());
}

export function unwrapDataKey(
  master: KeyObject,
  masterKeyId: string,
  subjectId: string,
  wrapped: string,
): KeyObject {
  const raw = open(master, wrapAad(subjectId, masterKeyId), wrapped, describeDataKey, subjectId);
  if (raw.length !== 32)
    throw new VaultError("PLEDGE_CIPHERTEXT_INVALID", `the data key of subject ${subjectId} is not 32 bytes`);
  return createSecretKey(raw);
}

/** A subject's field cipher over its (unwrapped) data key. Associated data: subject id NUL field. */
export function createSubjectCipher(subjectId: string, dataKey: KeyObject): SubjectCipher {
  const aads = new Map<string, Buffer>();
  const aadFor = (field: string): Buffer => {
    let aad = aads.get(field);
    if (aad === undefined) {
      aad = Buffer.from(`${subjectId}\u0000${field}`, "utf8");
      aads.set(field, aad);
    }
    return aad;
  };
  return {
    subjectId,
    encrypt: (field, plaintext) => seal(dataKey, aadFor(field), plaintext),
    decrypt: (field, ciphertext) =>
      open(dataKey, aadFor(field), ciphertext, describeField, field, subjectId).toString("utf8"),
  };
}
