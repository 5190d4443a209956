import { describe, expect, it } from "vitest";
import { normaliseEmail, normalisePhone, normalisePostal, normaliseZip } from "../../src/crypto/normalise.ts";

const value = <T>(r: { ok: true; value: T } | { ok: false; code: string }): T | string =>
  r.ok ? r.value : r.code;

describe("normaliseEmail", () => {
  it.each([
    ["  Ada.Lovelace@Example.COM ", "ada.lovelace@example.com"],
    ["o'brien+news@mail.example.co.uk", "o'brien+news@mail.example.co.uk"],
    ["user@bücher.example", "user@xn--bcher-kva.example"],
    ["x@xn--bcher-kva.example", "x@xn--bcher-kva.example"],
  ])("%s → %s", (raw, expected) => {
    expect(value(normaliseEmail(raw))).toBe(expected);
  });

  it.each([
    "plainaddress",
    "@example.com",
    "ada@",
    "ada@localhost",
    "ada..lovelace@example.com",
    ".ada@example.com",
    "ada lovelace@example.com",
    '"quoted"@example.com',
    "ada@example.c",
    "ada@-example.com",
    "ada@[192.168.0.1]",
    `${"a".repeat(65)}@example.com`,
    `a@${"b".repeat(250)}.com`,
  ])("refuses %s with PLEDGE_INVALID_EMAIL, without echoing it", (raw) => {
    const result = normaliseEmail(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe("PLEDGE_INVALID_EMAIL");
      expect(result.detail).not.toContain(raw.trim());
    }
  });
});

describe("normalisePhone", () => {
  it.each([
    ["(415) 555-0132", "1", "+14155550132"],
    ["1-415-555-0132", "1", "+14155550132"],
    ["+44 20 7946 0958", "1", "+442079460958"],
    ["020 7946 0958", "44", "+442079460958"],
    ["0049 30 901820", "1", "+4930901820"],
    ["030 901820", "49", "+4930901820"],
    ["415.555.0132", "1", "+14155550132"],
  ])("%s (default +%s) → %s", (raw, cc, expected) => {
    expect(value(normalisePhone(raw, cc))).toBe(expected);
  });

  it.each([
    "555-0132",
    "+1 234",
    "+1234567890123456",
    "415-555-CALL",
    "++14155550132",
    "+0 415 555 0132",
    "",
  ])("refuses %s with PLEDGE_INVALID_PHONE", (raw) => {
    expect(value(normalisePhone(raw))).toBe("PLEDGE_INVALID_PHONE");
  });

  it("a malformed default country code is a programming error", () => {
    expect(() => normalisePhone("4155550132", "+1")).toThrow(RangeError);
  });
});

describe("normalisePostal", () => {
  it("two ways of typing the same address normalise to the same canonical text", () => {
    const a = normalisePostal({
      line1: "12 O'Brien St.",
      line2: "Apt. 4b",
      city: "springfield",
      region: "il",
      postalCode: "62704-1234",
      country: "us",
    });
    const b = normalisePostal({
      line1: " 12  OBRIEN ST ",
      line2: "APT 4B",
      city: "Springfield",
      region: "IL",
      postalCode: "627041234",
      country: "US",
    });
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) {
      expect(a.value.canonical).toBe(b.value.canonical);
      expect(a.value).toMatchObject({
        line1: "12 OBRIEN ST",
        line2: "APT 4B",
        postalCode: "62704-1234",
        country: "US",
      });
    }
  });

  it("removes diacritics and folds ß", () => {
    const r = normalisePostal({ line1: "Große Straße 5", city: "Köln", postalCode: "50667", country: "de" });
    expect(r.ok && r.value.canonical).toBe("GROSSE STRASSE 5||KOLN||50667|DE");
  });

  it.each([
    ["US", "1234"],
    ["US", "12345-12"],
    ["CA", "D1A 1A1"],
    ["CA", "K1A1A"],
    ["GB", "SW1A1A"],
    ["DE", "1234"],
    ["FR", "7500A"],
    ["NL", "!!"],
    ["NL", "ABCD"],
  ])("refuses the %s postal code %s", (country, postalCode) => {
    expect(value(normalisePostal({ line1: "1 Main", city: "X", postalCode, country }))).toBe(
      "PLEDGE_INVALID_POSTAL_CODE",
    );
  });

  it("refuses an address without a first line or city, or with a bad country", () => {
    expect(value(normalisePostal({ line1: " .. ", city: "X", postalCode: "12345", country: "US" }))).toBe(
      "PLEDGE_INVALID_POSTAL_ADDRESS",
    );
    expect(value(normalisePostal({ line1: "1 Main", city: "X", postalCode: "12345", country: "USA" }))).toBe(
      "PLEDGE_INVALID_POSTAL_ADDRESS",
    );
  });
});

describe("normaliseZip", () => {
  it.each([
    ["12345", "US", "12345"],
    [" 12345 6789 ", "US", "12345-6789"],
    ["k1a0b1", "CA", "K1A 0B1"],
    ["sw1a 1aa", "GB", "SW1A 1AA"],
    ["ec1a1bb", "gb", "EC1A 1BB"],
    ["75008", "FR", "75008"],
    ["1011 ab", "NL", "1011 AB"],
  ])("%s (%s) → %s", (raw, country, expected) => {
    expect(value(normaliseZip(raw, country))).toBe(expected);
  });
});
