import { describe, expect, it } from "vitest";
import { canonicalEncoding, rowHash } from "../../src/audit/hash.ts";
import { decisionEvent, hashedFields } from "./helpers.ts";

describe("canonical encoding", () => {
  it("sorts keys at every depth and is stable under key order", () => {
    const base = decisionEvent(7);
    const a = { ...base, payload: { b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } } } as never;
    const b = { ...base, payload: { a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 } } as never;
    expect(canonicalEncoding(a)).toBe(canonicalEncoding(b));
    expect(canonicalEncoding(a)).toBe(
      '["pledge-audit/1","2026-01-01T00:00:07.000Z","decision","staff:1","subj-7",{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}]',
    );
  });

  it("hashes the previous hash, a newline and the encoding", async () => {
    const { createHash } = await import("node:crypto");
    const row = hashedFields(decisionEvent(1));
    const expected = createHash("sha256")
      .update(`${"ab".repeat(32)}\n${canonicalEncoding(row)}`)
      .digest("hex");
    expect(rowHash("ab".repeat(32), row)).toBe(expected);
  });
});
