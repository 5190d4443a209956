import { createHmac, createSecretKey, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase64UrlInto } from "../../src/crypto/base64url.ts";
import { blindIndex } from "../../src/crypto/blind-index.ts";
import { createSubjectCipher, newDataKey, unwrapDataKey, wrapDataKey } from "../../src/crypto/cipher.ts";
import { VaultError } from "../../src/crypto/errors.ts";
import { Lru } from "../../src/crypto/lru.ts";
import { newSubjectId } from "./helpers.ts";

const SECRET = "ada.lovelace@example.com";

function openError(fn: () => unknown): VaultError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(VaultError);
    return error as VaultError;
  }
  throw new Error("expected a VaultError");
}

describe("field encryption", () => {
  const subject = newSubjectId();
  const cipher = createSubjectCipher(subject, newDataKey());

  it.each(["", "Ada", SECRET, "Zoë Ødegård 東京 🚀", "x".repeat(5000)])("round-trips %j", (plaintext) => {
    expect(cipher.decrypt("email", cipher.encrypt("email", plaintext))).toBe(plaintext);
  });

  it("writes v1.<iv>.<ciphertext‖tag> in base64url, with a fresh IV every time", () => {
    const a = cipher.encrypt("email", SECRET);
    const b = cipher.encrypt("email", SECRET);
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(SECRET);
    // 24 bytes of plaintext + 16 of tag
    expect(Buffer.from(a.split(".")[2]!, "base64url")).toHaveLength(SECRET.length + 16);
  });

  it("a ciphertext moved to another field or subject does not open, and the error holds no plaintext", () => {
    const sealed = cipher.encrypt("email", SECRET);
    const other = createSubjectCipher(newSubjectId(), newDataKey());
    for (const attempt of [() => cipher.decrypt("phone", sealed), () => other.decrypt("email", sealed)]) {
      const error = openError(attempt);
      expect(error.code).toBe("PLEDGE_CIPHERTEXT_INVALID");
      expect(error.message).not.toContain(SECRET);
    }
  });

  it("a ciphertext under the same subject id but another data key does not open", () => {
    const sealed = cipher.encrypt("email", SECRET);
    expect(openError(() => createSubjectCipher(subject, newDataKey()).decrypt("email", sealed)).code).toBe(
      "PLEDGE_CIPHERTEXT_INVALID",
    );
  });

  it.each([
    ["a flipped character", (s: string) => s.slice(0, -3) + (s.at(-3) === "A" ? "B" : "A") + s.slice(-2)],
    ["a truncated tag", (s: string) => s.slice(0, -4)],
    ["another version", (s: string) => `v2${s.slice(2)}`],
    ["no dots", () => "plaintext"],
    ["an extra part", (s: string) => `${s}.x`],
  ])("refuses %s", (_what, damage) => {
    expect(openError(() => cipher.decrypt("email", damage(cipher.encrypt("email", SECRET)))).code).toBe(
      "PLEDGE_CIPHERTEXT_INVALID",
    );
  });
});

describe("wrapping data keys", () => {
  const master = createSecretKey(randomBytes(32));
  const subject = newSubjectId();
  const dataKey = newDataKey();

  it("unwraps to the same key", () => {
    const wrapped = wrapDataKey(master, "k1", subject, dataKey);
    expect(unwrapDataKey(master, "k1", subject, wrapped).export().equals(dataKey.export())).toBe(true);
  });

  it("is bound to the subject and the master key version", () => {
    const wrapped = wrapDataKey(master, "k1", subject, dataKey);
    expect(() => unwrapDataKey(master, "k2", subject, wrapped)).toThrow(VaultError);
    expect(() => unwrapDataKey(master, "k1", newSubjectId(), wrapped)).toThrow(VaultError);
    expect(() => unwrapDataKey(createSecretKey(randomBytes(32)), "k1", subject, wrapped)).toThrow(VaultError);
  });
});

describe("blindIndex", () => {
  const key = createSecretKey(randomBytes(32));

  it("is HMAC-SHA256 over <kind>:<value>, base64url of all 32 bytes", () => {
    const expected = createHmac("sha256", key.export()).update(`email:${SECRET}`).digest("base64url");
    expect(blindIndex(key, "email", SECRET)).toBe(expected);
    expect(expected).toHaveLength(43);
  });

  it("separates kinds and keys, and is stable", () => {
    expect(blindIndex(key, "email", "x")).toBe(blindIndex(key, "email", "x"));
    expect(blindIndex(key, "email", "x")).not.toBe(blindIndex(key, "phone", "x"));
    expect(blindIndex(key, "email", "x")).not.toBe(
      blindIndex(createSecretKey(randomBytes(32)), "email", "x"),
    );
  });
});

describe("Lru", () => {
  it("keeps at most its capacity and forgets the least recently used first", () => {
    const lru = new Lru<string, number>(2);
    lru.set("a", 1);
    lru.set("b", 2);
    expect(lru.get("a")).toBe(1); // a is now the most recent
    lru.set("c", 3);
    expect(lru.get("b")).toBeUndefined();
    expect(lru.get("a")).toBe(1);
    expect(lru.get("c")).toBe(3);
    expect(lru.size).toBe(2);
  });
});

describe("decodeBase64UrlInto", () => {
  it("decodes like Buffer for every length, and refuses characters outside base64url", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const text = Buffer.from(bytes).toString("base64url");
        const target = Buffer.alloc(80);
        const n = decodeBase64UrlInto(`x${text}y`, 1, text.length + 1, target, 0);
        expect(target.subarray(0, n).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
    const target = Buffer.alloc(8);
    for (const bad of ["ab+d", "ab/d", "ab=d", "abcde", "ab d", "abé"]) {
      expect(decodeBase64UrlInto(bad, 0, bad.length, target, 0), bad).toBe(-1);
    }
  });
});
