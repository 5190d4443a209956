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
  ])("finds %s (%s)", (text) => {
    expect(containsCardNumber(text)).toBe(true);
  });

  it.each([
    ["4111 1111 1111 1112", "one digit off: fails Luhn"],
    ["5555-5555-5555-4445", "one digit off with dashes"],
    ["order 1234567890123456", "a 16-digit order id that fails Luhn"],
    ["411111111111", "12 digits: too short even though Luhn-valid"],
    ["4111  1111 1111 1111", "two spaces break the run"],
    ["4111_1111_1111_1111", "underscores are not separators"],
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
    expect(findCardNumberInJson(body)).toBe("/contacts/1/note");
  });

  it("looks at integers and object keys, and escapes the pointer", () => {
    expect(findCardNumberInJson({ a: { "x/y": 5555555555554444 } })).toBe("/a/x~1y");
    expect(findCardNumberInJson({ "4111111111111111": true })).toBe("/4111111111111111");
    expect(findCardNumberInJson(378282246310005)).toBe("");
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
