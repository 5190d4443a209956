import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requiredIfMatch } from "../../src/http/etag.ts";
import { decodeCursor, encodeCursor } from "../../src/http/pagination.ts";
import { subjectsFixture, type SubjectsFixture } from "../subjects/helpers.ts";

let f: SubjectsFixture;
beforeAll(async () => {
  f = await subjectsFixture("zones");
});
afterAll(() => f.t.close());

const body = (email: string) => ({
  status: "customer",
  purpose: "essential.service.account",
  collectionPoint: "web.signup",
  birthDate: "1980-01-01",
  fields: { email },
});

describe("Idempotency-Key", () => {
  it("replays the same response for the same key and body, and runs nothing twice", async () => {
    const headers = { "idempotency-key": "key-0001-abcdef" };
    const first = await f.req("POST", "/v1/subjects", { body: body("idem@example.com"), headers });
    const again = await f.req("POST", "/v1/subjects", { body: body("idem@example.com"), headers });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.body).toBe(first.body);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    const stored = await f.t.store.db.selectFrom("idempotency_keys").selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain("idem@example.com");
    expect(JSON.stringify(stored)).not.toContain("key-0001-abcdef");
  });

  it("answers 422 when the key is reused with a different body", async () => {
    const headers = { "idempotency-key": "key-0002-abcdef" };
    expect((await f.req("POST", "/v1/subjects", { body: body("one@example.com"), headers })).statusCode).toBe(
      201,
    );
    const other = await f.req("POST", "/v1/subjects", { body: body("two@example.com"), headers });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe("PLEDGE_IDEMPOTENCY_MISMATCH");
  });

  it("keys are per caller: another caller's same key runs anew", async () => {
    const headers = { "idempotency-key": "key-0003-abcdef" };
    const other = await f.t.apiKey("admin");
    expect((await f.req("POST", "/v1/subjects", { body: body("c1@example.com"), headers })).statusCode).toBe(
      201,
    );
    const r = await f.req("POST", "/v1/subjects", { key: other, body: body("c2@example.com"), headers });
    expect(r.statusCode).toBe(201);
    expect(r.headers["idempotent-replayed"]).toBeUndefined();
  });
});

describe("ETag and cursor helpers", () => {
  const req = (h?: string) => ({ headers: h === undefined ? {} : { "if-match": h } }) as never;
  it("If-Match accepts quoted, weak and bare versions and *", () => {
    expect(requiredIfMatch(req('"3"'))).toBe(3);
    expect(requiredIfMatch(req('W/"4"'))).toBe(4);
    expect(requiredIfMatch(req("5"))).toBe(5);
    expect(requiredIfMatch(req("*"))).toBeNull();
    expect(() => requiredIfMatch(req())).toThrow(/PLEDGE_PRECONDITION_REQUIRED/);
    expect(() => requiredIfMatch(req('"abc"'))).toThrow(/PLEDGE_PRECONDITION_FAILED/);
  });
  it("a cursor round-trips; a forged one, or one with values of the wrong kind, is refused", () => {
    const shape = { createdAt: "time", id: "uuid" } as const;
    const id = "0b6f4c1e-7d7a-4c43-9a35-0e8f4f2a1b2c";
    const c = encodeCursor({ createdAt: "2020-01-01T00:00:00.000Z", id });
    expect(decodeCursor(c, shape)).toEqual({ createdAt: "2020-01-01T00:00:00.000Z", id });
    for (const forged of <Record<string, string>[]>[
      { id },
      { createdAt: "x", id },
      { createdAt: "2020-13-45T99:00:00Z", id },
      { createdAt: "2020-01-01T00:00:00.000Z", id: "not-a-uuid" },
      { createdAt: "2020-01-01T00:00:00.000Z", id, extra: "1" },
    ]) {
      expect(() => decodeCursor(encodeCursor(forged), shape)).toThrow(/PLEDGE_INVALID_CURSOR/);
    }
    expect(() => decodeCursor(encodeCursor({ id: "a\u0000b" }), { id: "text" })).toThrow(
      /PLEDGE_INVALID_CURSOR/,
    );
    expect(decodeCursor(encodeCursor({ id: "ORD-1" }), { id: "text" })).toEqual({ id: "ORD-1" });
  });
});
