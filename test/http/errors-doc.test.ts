import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, ERROR_TITLES } from "../../src/errors.ts";
import { STATUS, problem } from "../../src/http/errors.ts";
import { POLICY_ERROR_CODES } from "../../src/policy/errors.ts";

/** Rows of the catalogue table in docs/errors.md: | `CODE` | status | meaning | */
function documented(): Map<string, number> {
  const text = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
  const rows = new Map<string, number>();
  for (const match of text.matchAll(/^\|\s*`(PLEDGE_[A-Z_]+)`\s*\|\s*(\d{3})\s*\|\s*\S.*\|\s*$/gm)) {
    rows.set(match[1]!, Number(match[2]));
  }
  return rows;
}

describe("the error catalogue", () => {
  it("docs/errors.md lists every code with its status, and no code the server does not have", () => {
    const docs = documented();
    expect([...docs.keys()].sort()).toEqual([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) expect(docs.get(code), code).toBe(STATUS[code]);
  });

  it("every code the policy loader throws has an HTTP status", () => {
    for (const code of POLICY_ERROR_CODES) expect(ERROR_CODES).toContain(code);
  });

  it("a problem is RFC 9457 shaped with the stable code", () => {
    expect(problem("PLEDGE_AUTH_MISSING", "send a key")).toEqual({
      type: "urn:pledge:error:PLEDGE_AUTH_MISSING",
      title: ERROR_TITLES.PLEDGE_AUTH_MISSING,
      status: 401,
      code: "PLEDGE_AUTH_MISSING",
      detail: "send a key",
    });
  });
});
