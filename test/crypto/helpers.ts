import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { writeKeyringFile } from "../../src/crypto/keyring-file.ts";

/** A temporary directory with a fresh keyring file (one key, k1) and a cleanup. */
export function tempKeyring(): { dir: string; file: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), "pledge-keys-"));
  const file = path.join(dir, "master.keys");
  writeKeyringFile(file, { current: "k1", keys: { k1: randomBytes(32).toString("base64") } }, true);
  return { dir, file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const newSubjectId = (): string => randomUUID();
