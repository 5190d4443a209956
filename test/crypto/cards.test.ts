import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { containsCardNumber, findCardNumberInJson, luhn } from "../../src/crypto/cards.ts";

describe("containsCardNumber", () => {
  it.each([
    ["4111 1111 1111 1111", "Visa test card in groups of four"],
    ["4111111111111111", "Visa test card, digits together"],
    ["5555-5555-5555-4444", "Mastercard test card with dashes"],
    ["378282246310005", "Amex test card (15 digits)"],
    ["3782 822463 10005", "Amex in its own 4-6-5 grouping"],
    ["4222222222222", "13-digit Visa test number"],
    ["6011 0009 9013 9424", "Discover test card"],
    ["please charge 4111-1111-1111-1111 today", "inside a sentence"],
    ["order 12345 4111 1111 1111 1111", "after an unrelated group in the same run"],
    ["card:5555555555554444.", "between punctuation"],
    ["ref ABC4111111111111111", "glued to letters"],
    ["4000.0012.3400.1063", "dots between the groups"],
    ["4000\u00a00012\u00a03400\u00a01063", "no-break spaces (U+00A0)"],
    ["4000\u202f0012\u20093400\u20021063", "narrow, thin and en spaces"],
    ["4000\u200b0012\u200b3400\u200b1063", "zero-width spaces between the groups"],
    ["4000\u20130012\u20143400\u22121063", "en dash, em dash, minus sign"],
    ["4111  1111 1111 1111", "two spaces"],
    ["4111 - 1111 - 1111 - 1111", "a spaced dash"],
    ["4111_1111_1111_1111", "underscores"],
    ["4111/1111/1111/1111", "slashes"],
    ["\uff14\uff11\uff11\uff11 1111 1111 1111", "full-width digits"],
    ["4111\t1111\t1111\t1111", "tabs"],
  ])("finds %s (%s)", (text) => {
    expect(containsCardNumber(text)).toBe(true);
  });

  it.each([
    ["4111 1111 1111 1112", "one digit off: fails Luhn"],
    ["5555-5555-5555-4445", "one digit off with dashes"],
    ["order 1234567890123456", "a 16-digit order id that fails Luhn"],
    ["411111111111", "12 digits: too short even though Luhn-valid"],
    ["4111    1111 1111 1111", "four separators in a row break the run"],
    ["4111, 1111, 1111, 1111", "commas are not separators (lists of numbers)"],
    ["1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14", "a list of small numbers"],
    ["41111111111111111111111111111111", "a long reference number in one piece (32 digits)"],
    ["12345678901234567890123", "23 digits, no card inside is looked for"],
    ["+1 (555) 010-4477", "a phone number"],
    ["2026-11-21 10:30:00", "a timestamp"],
    ["", "empty"],
    ["no digits at all", "text"],
  ])("does not find %s (%s)", (text) => {
    expect(containsCardNumber(text)).toBe(false);
  });

  it("Luhn accepts the test numbers and refuses a changed digit", () => {
    expect(luhn("79927398713")).toBe(true);
    expect(luhn("79927398710")).toBe(false);
  });
});

describe("findCardNumberInJson", () => {
  it("names the JSON Pointer of the first field holding a card number, not the number", () => {
    const body = { name: "Ada", contacts: [{ note: "call" }, { note: "card 4111 1111 1111 1111" }] };
    expect(findCardNumberInJson(body)).toEqual({ kind: "value", path: "/contacts/1/note" });
  });

  it("looks at integers and object keys, escapes the pointer, and never puts a key holding a card in it", () => {
    expect(findCardNumberInJson({ a: { "x/y": 5555555555554444 } })).toEqual({
      kind: "value",
      path: "/a/x~1y",
    });
    expect(findCardNumberInJson({ "4111111111111111": true })).toEqual({ kind: "key", path: "" });
    expect(findCardNumberInJson({ fields: { "4000001234001162": "x" } })).toEqual({
      kind: "key",
      path: "/fields",
    });
    expect(findCardNumberInJson(378282246310005)).toEqual({ kind: "value", path: "" });
  });

  it("walks a body nested thousands of levels deep without overflowing, and stops at a depth", () => {
    let deep: unknown = "4111 1111 1111 1111";
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    expect(findCardNumberInJson(deep)).toEqual({ kind: "value", path: "/0".repeat(100_000) });
    expect(findCardNumberInJson(deep, 32)).toEqual({ kind: "too_deep" });
  });

  it("UUIDs are never taken for cards, while a card beside one still is", () => {
    for (let i = 0; i < 5000; i += 1) expect(containsCardNumber(randomUUID())).toBe(false);
    expect(containsCardNumber("12345678-1234-1234-1234-123456789012")).toBe(false);
    expect(containsCardNumber(`${randomUUID()} 4111 1111 1111 1111`)).toBe(true);
  });

  it("returns null when nothing matches", () => {
    expect(
      findCardNumberInJson({ order: "1234567890123456", total: 12.5, ok: null, tags: ["a"] }),
    ).toBeNull();
    expect(findCardNumberInJson(undefined)).toBeNull();
  });
});
