import { describe, expect, it } from "vitest";
import { hashPassword, passwordProblem, verifyPassword } from "../../src/modules/customers/passwords.ts";

describe("customer passwords", () => {
  it("are hashed with argon2id and verify only with the same password", async () => {
    const hash = await hashPassword("a long enough passphrase");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, "a long enough passphrase")).toBe(true);
    expect(await verifyPassword(hash, "a long enough passphrasE")).toBe(false);
    expect(await verifyPassword("not a hash", "anything at all")).toBe(false);
  });

  it("need at least 12 characters, counted as characters not bytes", () => {
    expect(passwordProblem("elevenchars")).toBe("too_short");
    expect(passwordProblem("twelve chars")).toBeNull();
    expect(passwordProblem("ééééééééééé")).toBe("too_short"); // 11 characters, 22 bytes
    expect(
      passwordProblem("x".repeat(257).replace(/x/g, (_, i: number) => String.fromCharCode(97 + (i % 26)))),
    ).toBe("too_long");
  });

  it.each([
    "password1234",
    "Password123456",
    "P@ssw0rd!2024",
    "qwertyuiop12",
    "123456789012",
    "aaaaaaaaaaaaaa",
    "abcdefghijklm",
    "zyxwvutsrqpon",
    "!!Qwerty!!2024",
  ])("refuse the common password %s", (pw) => {
    expect(passwordProblem(pw)).toBe("common");
  });

  it("accept an uncommon passphrase", () => {
    expect(passwordProblem("violet harbour tractor 42")).toBeNull();
  });
});
