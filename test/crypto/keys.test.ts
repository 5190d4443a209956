import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { VaultError } from "../../src/crypto/errors.ts";
import { addKeyToFile, removeKeyFromFile } from "../../src/crypto/keyring-file.ts";
import { openConfiguredVault } from "../../src/crypto/configured.ts";
import { fileKeyring, loadKeys } from "../../src/crypto/keys.ts";

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(path.join(tmpdir(), "pledge-keys-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const key64 = (): string => randomBytes(32).toString("base64");

function vaultError(fn: () => unknown): VaultError {
  try {
    fn();
  } catch (error) {
    if (error instanceof VaultError) return error;
    throw error;
  }
  throw new Error("expected a VaultError");
}

describe("loadKeys", () => {
  it("creates the keyring and the index key once, mode 0600, warning with the path and never the key", () => {
    const dataDir = tempDir();
    const warnings: string[] = [];
    const first = loadKeys({}, { dataDir, create: true, warn: (m) => warnings.push(m) });
    expect(first.created).toEqual(["master", "index"]);
    expect(first.keyring).toMatchObject({ source: "file", file: path.join(dataDir, "master.keys") });
    expect(first.keyring.current().id).toBe("k1");
    for (const file of ["master.keys", "index.key"]) {
      expect(statSync(path.join(dataDir, file)).mode & 0o777).toBe(0o600);
    }
    expect(warnings).toHaveLength(2);
    const keyText = (
      JSON.parse(readFileSync(path.join(dataDir, "master.keys"), "utf8")) as { keys: { k1: string } }
    ).keys.k1;
    const indexText = readFileSync(path.join(dataDir, "index.key"), "utf8").trim();
    expect(warnings.join("\n")).toContain(dataDir);
    expect(warnings.join("\n")).not.toContain(keyText);
    expect(warnings.join("\n")).not.toContain(indexText);

    const second = loadKeys({}, { dataDir, create: true, warn: (m) => warnings.push(m) });
    expect(second.created).toEqual([]);
    expect(warnings).toHaveLength(2);
    expect(second.keyring.current().key.export().equals(first.keyring.current().key.export())).toBe(true);
    expect(second.indexKey.export().equals(first.indexKey.export())).toBe(true);
  });

  it("takes PLEDGE_MASTER_KEY as version env and PLEDGE_INDEX_KEY, creating nothing", () => {
    const dataDir = tempDir();
    const keys = loadKeys(
      { PLEDGE_MASTER_KEY: key64(), PLEDGE_INDEX_KEY: key64() },
      { dataDir, create: true },
    );
    expect(keys.keyring.source).toBe("env");
    expect(keys.keyring.current().id).toBe("env");
    expect(keys.created).toEqual([]);
  });

  it("honours PLEDGE_MASTER_KEY_FILE and PLEDGE_INDEX_KEY_FILE", () => {
    const dir = tempDir();
    const env = {
      PLEDGE_MASTER_KEY_FILE: path.join(dir, "elsewhere/m.json"),
      PLEDGE_INDEX_KEY_FILE: path.join(dir, "i.key"),
    };
    const keys = loadKeys(env, { dataDir: path.join(dir, "data"), create: true });
    expect(keys.keyring.file).toBe(env.PLEDGE_MASTER_KEY_FILE);
    expect(statSync(env.PLEDGE_INDEX_KEY_FILE).isFile()).toBe(true);
  });

  it("refuses a malformed key, naming the variable but not the value", () => {
    const bad = "not-a-key-but-a-secret-anyway";
    const error = vaultError(() =>
      loadKeys({ PLEDGE_MASTER_KEY: bad, PLEDGE_INDEX_KEY: key64() }, { dataDir: tempDir(), create: true }),
    );
    expect(error.code).toBe("PLEDGE_KEY_INVALID");
    expect(error.message).toContain("PLEDGE_MASTER_KEY");
    expect(error.message).not.toContain(bad);
    const short = randomBytes(16).toString("base64");
    expect(
      vaultError(() =>
        loadKeys(
          { PLEDGE_MASTER_KEY: key64(), PLEDGE_INDEX_KEY: short },
          { dataDir: tempDir(), create: true },
        ),
      ).message,
    ).toContain("PLEDGE_INDEX_KEY");
  });

  it("refuses both PLEDGE_MASTER_KEY and PLEDGE_MASTER_KEY_FILE", () => {
    const env = { PLEDGE_MASTER_KEY: key64(), PLEDGE_MASTER_KEY_FILE: "/tmp/x", PLEDGE_INDEX_KEY: key64() };
    expect(vaultError(() => loadKeys(env, { dataDir: tempDir(), create: true })).code).toBe(
      "PLEDGE_KEY_INVALID",
    );
  });

  it("without create, a missing key file is PLEDGE_KEY_MISSING saying what to set", () => {
    const error = vaultError(() => loadKeys({}, { dataDir: tempDir(), create: false }));
    expect(error.code).toBe("PLEDGE_KEY_MISSING");
    expect(error.message).toContain("PLEDGE_MASTER_KEY");
    expect(error.message).toContain("pledge keys init");
  });

  it.each([0o640, 0o604, 0o660])("refuses a key file with mode %o", (mode) => {
    const dataDir = tempDir();
    loadKeys({}, { dataDir, create: true });
    chmodSync(path.join(dataDir, "master.keys"), mode);
    const error = vaultError(() => loadKeys({}, { dataDir, create: false }));
    expect(error.code).toBe("PLEDGE_KEY_INVALID");
    expect(error.message).toContain("chmod 600");
    chmodSync(path.join(dataDir, "master.keys"), 0o600);
    chmodSync(path.join(dataDir, "index.key"), mode);
    expect(vaultError(() => loadKeys({}, { dataDir, create: false })).message).toContain("index key file");
  });

  it.each([
    ["not JSON", "{"],
    ["no current", JSON.stringify({ keys: { k1: key64() } })],
    ["current not in keys", JSON.stringify({ current: "k2", keys: { k1: key64() } })],
    ["a short key", JSON.stringify({ current: "k1", keys: { k1: randomBytes(31).toString("base64") } })],
    ["a bad id", JSON.stringify({ current: "k 1", keys: { "k 1": key64() } })],
  ])("refuses a keyring file with %s", (_what, text) => {
    const dataDir = tempDir();
    writeFileSync(path.join(dataDir, "master.keys"), text, { mode: 0o600 });
    expect(vaultError(() => loadKeys({ PLEDGE_INDEX_KEY: key64() }, { dataDir, create: true })).code).toBe(
      "PLEDGE_KEY_INVALID",
    );
  });
});

describe("the keyring file", () => {
  it("adds versions k2, k3 as current, reloads them, and removes only a version that is not current", () => {
    const dataDir = tempDir();
    const { keyring } = loadKeys({}, { dataDir, create: true });
    const file = keyring.file!;
    expect(addKeyToFile(file)).toBe("k2");
    expect(keyring.find("k2")).toBeUndefined();
    expect(keyring.reload()).toBe(true);
    expect(keyring.reload()).toBe(false);
    expect(keyring.current().id).toBe("k2");
    expect(addKeyToFile(file, key64())).toBe("k3");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(vaultError(() => removeKeyFromFile(file, "k3")).message).toContain("current");
    removeKeyFromFile(file, "k1");
    expect(fileKeyring(file).ids()).toEqual(["k2", "k3"]);
  });
});

describe("openConfiguredVault", () => {
  it("creates key files for the embedded store only; against PostgreSQL a missing key stops start-up", () => {
    const dataDir = tempDir();
    const warnings: string[] = [];
    expect(() =>
      openConfiguredVault({}, { dataDir, databaseUrl: "postgres://db/pledge" }, (m) => warnings.push(m)),
    ).toThrow(/PLEDGE_KEY_MISSING/);
    const vault = openConfiguredVault({}, { dataDir, databaseUrl: null }, (m) => warnings.push(m));
    expect(vault.blindIndex("email", "a@example.com")).toHaveLength(43);
    expect(warnings).toHaveLength(2);
    openConfiguredVault({}, { dataDir, databaseUrl: "postgres://db/pledge" }, (m) => warnings.push(m));
    expect(warnings).toHaveLength(2);
  });
});
