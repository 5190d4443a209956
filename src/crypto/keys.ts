import type { KeyObject } from "node:crypto";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { VaultError } from "./errors.ts";
import {
  checkPrivate,
  keyFromBase64,
  newKeyText,
  readKeyringFile,
  writeKeyringFile,
} from "./keyring-file.ts";

/**
 * Where the keys come from. Master keys (which wrap the subjects' data keys) form a keyring of
 * versions, one of them current: from PLEDGE_MASTER_KEY (one key, version "env") or from a
 * keyring file. The blind-index key is separate (PLEDGE_INDEX_KEY or a file), so lookups never
 * need the key that opens data. Neither ever enters the database, a log or an error message.
 */
export interface MasterKey {
  readonly id: string;
  readonly key: KeyObject;
}

export interface Keyring {
  readonly source: "env" | "file" | "memory";
  /** The keyring file, when the source is a file. */
  readonly file: string | null;
  current(): MasterKey;
  find(id: string): MasterKey | undefined;
  ids(): readonly string[];
  /** Re-reads the file (a rotation by another process); false when nothing changed or no file. */
  reload(): boolean;
}

export const ENV_KEY_ID = "env";

export function memoryKeyring(current: string, keys: Readonly<Record<string, KeyObject>>): Keyring {
  const find = (id: string): MasterKey | undefined =>
    Object.hasOwn(keys, id) ? { id, key: keys[id]! } : undefined;
  const now = find(current);
  if (now === undefined)
    throw new VaultError("PLEDGE_KEY_MISSING", `current key ${current} is not in the keyring`);
  return {
    source: "memory",
    file: null,
    current: () => now,
    find,
    ids: () => Object.keys(keys),
    reload: () => false,
  };
}

export function fileKeyring(file: string): Keyring {
  let text = "";
  let current: MasterKey = { id: "", key: undefined as unknown as KeyObject };
  let keys = new Map<string, MasterKey>();
  const load = (): boolean => {
    const read = readKeyringFile(file);
    const next = JSON.stringify(read);
    if (next === text) return false;
    keys = new Map(
      Object.entries(read.keys).map(([id, t]) => [id, { id, key: keyFromBase64(t, `${file}, key ${id}`) }]),
    );
    current = keys.get(read.current)!;
    text = next;
    return true;
  };
  load();
  return {
    source: "file",
    file,
    current: () => current,
    find: (id) => keys.get(id),
    ids: () => [...keys.keys()],
    reload: load,
  };
}

export interface KeyPaths {
  readonly masterKeyFile: string;
  readonly indexKeyFile: string;
}

/** PLEDGE_MASTER_KEY_FILE / PLEDGE_INDEX_KEY_FILE, or master.keys / index.key in the data directory. */
export function keyPaths(env: Readonly<Record<string, string | undefined>>, dataDir: string): KeyPaths {
  return {
    masterKeyFile: resolve(env.PLEDGE_MASTER_KEY_FILE || join(dataDir, "master.keys")),
    indexKeyFile: resolve(env.PLEDGE_INDEX_KEY_FILE || join(dataDir, "index.key")),
  };
}

export interface LoadKeysOptions {
  readonly dataDir: string;
  /** Create missing key files (the embedded store's first start, `pledge keys init`). */
  readonly create: boolean;
  /** Told once when a key file is created (the path, never the key). */
  readonly warn?: (message: string) => void;
}

export interface LoadedKeys {
  readonly keyring: Keyring;
  readonly indexKey: KeyObject;
  readonly created: readonly ("master" | "index")[];
}

/** Throws VaultError (PLEDGE_KEY_INVALID, PLEDGE_KEY_MISSING) with a message that says what to do. */
export function loadKeys(
  env: Readonly<Record<string, string | undefined>>,
  options: LoadKeysOptions,
): LoadedKeys {
  const paths = keyPaths(env, options.dataDir);
  const created: ("master" | "index")[] = [];
  let keyring: Keyring;
  if (env.PLEDGE_MASTER_KEY) {
    if (env.PLEDGE_MASTER_KEY_FILE) {
      throw new VaultError("PLEDGE_KEY_INVALID", "set PLEDGE_MASTER_KEY or PLEDGE_MASTER_KEY_FILE, not both");
    }
    const key = keyFromBase64(env.PLEDGE_MASTER_KEY, "PLEDGE_MASTER_KEY");
    keyring = { ...memoryKeyring(ENV_KEY_ID, { [ENV_KEY_ID]: key }), source: "env" };
  } else {
    if (!existsSync(paths.masterKeyFile)) {
      if (!options.create)
        throw missing("master", "PLEDGE_MASTER_KEY or PLEDGE_MASTER_KEY_FILE", paths.masterKeyFile);
      if (
        createOnce(() =>
          writeKeyringFile(paths.masterKeyFile, { current: "k1", keys: { k1: newKeyText() } }, true),
        )
      ) {
        created.push("master");
        options.warn?.(createdWarning("master keyring", paths.masterKeyFile));
      }
    }
    keyring = fileKeyring(paths.masterKeyFile);
  }

  let indexText = env.PLEDGE_INDEX_KEY;
  let indexWhat = "PLEDGE_INDEX_KEY";
  if (!indexText) {
    indexWhat = `the index key file ${paths.indexKeyFile}`;
    if (!existsSync(paths.indexKeyFile)) {
      if (!options.create)
        throw missing("index", "PLEDGE_INDEX_KEY or PLEDGE_INDEX_KEY_FILE", paths.indexKeyFile);
      if (createOnce(() => writeIndexKey(paths.indexKeyFile))) {
        created.push("index");
        options.warn?.(createdWarning("blind-index key", paths.indexKeyFile));
      }
    }
    checkPrivate(paths.indexKeyFile, "the index key file");
    indexText = readFileSync(paths.indexKeyFile, "utf8");
  }
  return { keyring, indexKey: keyFromBase64(indexText, indexWhat), created };
}

function writeIndexKey(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${newKeyText()}\n`, { mode: 0o600, flag: "wx" });
}

/** Runs an exclusive create; false when another process created the file first. */
function createOnce(create: () => void): boolean {
  try {
    create();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

function missing(which: "master" | "index", variables: string, file: string): VaultError {
  return new VaultError(
    "PLEDGE_KEY_MISSING",
    `no ${which} key: set ${variables}, put a key file at ${file}, or run \`pledge keys init\``,
  );
}

const createdWarning = (what: string, file: string): string =>
  `pledge: created a new ${what} at ${file} (mode 0600). Back it up, apart from the database: ` +
  `without it the encrypted personal data cannot be read.`;
