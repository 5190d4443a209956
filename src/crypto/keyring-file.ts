import { createSecretKey, randomBytes, type KeyObject } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { VaultError } from "./errors.ts";

/**
 * The keyring file: JSON `{ "current": "<id>", "keys": { "<id>": "<base64 of 32 bytes>" } }`, mode
 * 0600. It is rewritten whole, through a temporary file and a rename, so a process reading it
 * (another server reloading after a rotation) sees the old or the new keyring, never half of one.
 */
export interface KeyringFile {
  readonly current: string;
  readonly keys: Readonly<Record<string, string>>;
}

export const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64_32 = /^(?:[A-Za-z0-9+/]{43}=|[A-Za-z0-9_-]{43})$/;

/** A 32-byte key from its base64 (or base64url) text; `what` names the variable or file in errors. */
export function keyFromBase64(text: string, what: string): KeyObject {
  const trimmed = text.trim();
  if (!BASE64_32.test(trimmed)) {
    throw new VaultError(
      "PLEDGE_KEY_INVALID",
      `${what}: expected the base64 of 32 random bytes (44 characters)`,
    );
  }
  return createSecretKey(Buffer.from(trimmed, trimmed.endsWith("=") ? "base64" : "base64url"));
}

export function newKeyText(): string {
  return randomBytes(32).toString("base64");
}

/** Refuses a key file that group or others may read or write: keys are the owner's only. */
export function checkPrivate(file: string, what: string): void {
  const mode = statSync(file).mode;
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    throw new VaultError(
      "PLEDGE_KEY_INVALID",
      `${what} ${file} is open to group or others (mode ${(mode & 0o777).toString(8)}): run chmod 600 ${file}`,
    );
  }
}

export function readKeyringFile(file: string): KeyringFile {
  checkPrivate(file, "the keyring file");
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new VaultError("PLEDGE_KEY_INVALID", `the keyring file ${file} is not JSON`);
  }
  const shape = parsed as Partial<KeyringFile> | null;
  const keys = shape?.keys;
  if (typeof shape?.current !== "string" || typeof keys !== "object" || keys === null) {
    throw new VaultError("PLEDGE_KEY_INVALID", `the keyring file ${file} needs "current" and "keys"`);
  }
  for (const [id, text] of Object.entries(keys)) {
    if (!KEY_ID.test(id))
      throw new VaultError(
        "PLEDGE_KEY_INVALID",
        `the keyring file ${file}: bad key id ${JSON.stringify(id)}`,
      );
    if (typeof text !== "string")
      throw new VaultError("PLEDGE_KEY_INVALID", `the keyring file ${file}: key ${id} is not a string`);
    keyFromBase64(text, `the keyring file ${file}, key ${id}`);
  }
  if (!Object.hasOwn(keys, shape.current)) {
    throw new VaultError(
      "PLEDGE_KEY_INVALID",
      `the keyring file ${file}: current key ${shape.current} is not in "keys"`,
    );
  }
  return { current: shape.current, keys: { ...keys } };
}

/** Atomic replace (or, with `exclusive`, create only if absent: throws EEXIST otherwise). */
export function writeKeyringFile(file: string, keyring: KeyringFile, exclusive = false): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const text = `${JSON.stringify(keyring, null, 2)}\n`;
  if (exclusive) {
    writeFileSync(file, text, { mode: 0o600, flag: "wx" });
    return;
  }
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600, flag: "wx" });
  renameSync(temporary, file);
}

/** The next free id of the form k<n>. */
export function nextKeyId(keyring: KeyringFile): string {
  let n = 1;
  for (const id of Object.keys(keyring.keys)) {
    const m = /^k(\d+)$/.exec(id);
    if (m) n = Math.max(n, Number(m[1]) + 1);
  }
  return `k${n}`;
}

/** Adds a new random key (or `keyText`) under a new id and makes it current. Returns the id. */
export function addKeyToFile(file: string, keyText: string = newKeyText()): string {
  const keyring = readKeyringFile(file);
  keyFromBase64(keyText, "the new key");
  const id = nextKeyId(keyring);
  writeKeyringFile(file, { current: id, keys: { ...keyring.keys, [id]: keyText.trim() } });
  return id;
}

/** Removes a key version that is not current. The caller checks that no data key uses it. */
export function removeKeyFromFile(file: string, id: string): void {
  const keyring = readKeyringFile(file);
  if (keyring.current === id) throw new VaultError("PLEDGE_KEY_INVALID", `key ${id} is the current key`);
  if (!Object.hasOwn(keyring.keys, id))
    throw new VaultError("PLEDGE_KEY_MISSING", `key ${id} is not in ${file}`);
  const keys = Object.fromEntries(Object.entries(keyring.keys).filter(([k]) => k !== id));
  writeKeyringFile(file, { current: keyring.current, keys });
}
