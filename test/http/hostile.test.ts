import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeCursor } from "../../src/store/cursor.ts";
import { buildTestApp, type TestApp } from "../harness/app.ts";

/**
 * Hostile input is answered 4xx with a stable code, never 500, and writes nothing: a body nested
 * thousands of levels deep (before authentication, on public routes too), U+0000 and lone
 * surrogates in strings, keys, queries and paths, cursors with the right keys and wrong values, a
 * YAML alias bomb, and card numbers written with other separators or as a JSON key.
 */
let t: TestApp;
let admin: string;

beforeAll(async () => {
  t = await buildTestApp({ company: "partstore" });
  admin = await t.apiKey("admin");
});
afterAll(() => t?.close());

const json = (payload: string | object) =>
  typeof payload === "string" ? { "content-type": "application/json" } : {};

async function send(method: "GET" | "POST" | "PATCH", url: string, payload?: string | object, key?: string) {
  const res = await t.app.inject({
    method,
    url,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(payload === undefined ? {} : json(payload)),
    },
    ...(payload === undefined ? {} : { payload }),
  });
  return { status: res.statusCode, body: res.json() as { code: string; detail: string } };
}

/** POSTs a campaign whose fields are the defaults with `fields` over them. */
const postCampaign = (fields: Record<string, string>) =>
  send(
    "POST",
    "/v1/campaigns",
    {
      name: "hostile",
      purpose: "marketing.communications",
      messageClass: "marketing",
      channel: "email",
      subjectLine: "Hi",
      text: "Hello",
      ...fields,
    },
    admin,
  );

async function count(table: "staff" | "campaigns" | "subjects" | "policy_versions"): Promise<number> {
  const row = await t.store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe("bodies nested deeper than any Pledge takes", () => {
  const deep = `${"[".repeat(3288)}${"]".repeat(3288)}`;
  const deepObject = `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`;

  it.each([
    ["POST", "/v1/decisions", "admin"],
    ["POST", "/v1/account/signin", undefined],
    ["POST", "/u/not-a-token", undefined],
    ["POST", "/v1/subjects", "admin"],
  ] as const)("%s %s answers 400", async (method, url, who) => {
    for (const body of [deep, deepObject]) {
      const res = await send(method, url, body, who === "admin" ? admin : undefined);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.code).toBe("PLEDGE_VALIDATION_FAILED");
      expect(res.body.detail).toContain("deeper than 32 levels");
    }
  });

  it("a staff route without a key is turned away first, with 401", async () => {
    const res = await send("POST", "/v1/decisions", deep);
    expect(res.status).toBe(401);
  });

  it("a body of 32 levels is not refused for its depth", async () => {
    const ok = `${'{"a":'.repeat(31)}1${"}".repeat(31)}`;
    const res = await send("POST", "/v1/decisions", ok);
    expect(res.body.detail ?? "").not.toContain("deeper than");
  });
});

describe("U+0000 and lone surrogates", () => {
  it.each([
    [
      "a NUL in a staff display name",
      { displayName: "Ro\u0000bin", role: "customer_service", attested: true },
    ],
    [
      "a lone surrogate in a staff display name",
      { displayName: "Ro\ud800bin", role: "customer_service", attested: true },
    ],
    ["a NUL in a key", { displayName: "Robin", role: "customer_service", attested: true, "x\u0000": 1 }],
  ])("%s: 400, nothing written", async (_what, body) => {
    const before = await count("staff");
    const res = await send("POST", "/v1/staff", body, admin);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.code).toBe("PLEDGE_VALIDATION_FAILED");
    expect(res.body.detail).toContain("U+0000 (NUL) or half a surrogate pair");
    expect(await count("staff")).toBe(before);
  });

  it("a NUL in campaign text: 400, no campaign", async () => {
    const before = await count("campaigns");
    const res = await postCampaign({ name: "n\u0000ul" });
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe(
      "the value at /name contains U+0000 (NUL) or half a surrogate pair, which Pledge does not store",
    );
    expect(await count("campaigns")).toBe(before);
  });

  it("a NUL in the query or the path: 400", async () => {
    const query = await send("GET", "/v1/subjects?status=cust%00omer", undefined, admin);
    expect(query.status).toBe(400);
    expect(query.body.code).toBe("PLEDGE_VALIDATION_FAILED");
    const path = await send("GET", "/u/abc%00def");
    expect(path.status).toBe(400);
  });
});

describe("cursors with the right keys and wrong values", () => {
  const uuid = "0b6f4c1e-7d7a-4c43-9a35-0e8f4f2a1b2c";
  let subject: string;
  beforeAll(async () => {
    const res = await send(
      "POST",
      "/v1/subjects",
      {
        status: "customer",
        purpose: "essential.service.order_fulfilment",
        collectionPoint: "web.checkout",
        jurisdiction: "US",
        fields: { first_name: "Ada", email: "cursor@example.com" },
      },
      admin,
    );
    expect(res.status).toBe(201);
    subject = (res.body as unknown as { id: string }).id;
  });

  it.each([
    ["/v1/subjects", { createdAt: "x", id: uuid }],
    ["/v1/subjects", { createdAt: "2026-01-01T00:00:00.000Z", id: "not-a-uuid" }],
    ["/v1/campaigns", { createdAt: "x", id: uuid }],
    ["/v1/campaigns", { createdAt: "2026-01-01T00:00:00.000Z", id: "1 or 1=1" }],
    ["/v1/suppression/export?channel=email", { channel: "email", addressIndex: "a\u0000" }],
  ])("%s with %j: 400 PLEDGE_INVALID_CURSOR", async (url, position) => {
    const sep = url.includes("?") ? "&" : "?";
    const res = await send("GET", `${url}${sep}cursor=${encodeCursor(position)}`, undefined, admin);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.code).toBe("PLEDGE_INVALID_CURSOR");
  });

  it("a subject's consent history and orders refuse them too", async () => {
    const consent = await send(
      "GET",
      `/v1/subjects/${subject}/consents?purpose=essential.service.order_fulfilment&cursor=${encodeCursor({ at: "yesterday", eventId: uuid })}`,
      undefined,
      admin,
    );
    const orders = await send(
      "GET",
      `/v1/subjects/${subject}/orders?purpose=essential.service.order_fulfilment&cursor=${encodeCursor({ id: "a\ud800" })}`,
      undefined,
      admin,
    );
    for (const res of [consent, orders]) {
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.code).toBe("PLEDGE_INVALID_CURSOR");
    }
  });
});

describe("policy uploads", () => {
  it("a YAML alias bomb is 422 PLEDGE_POLICY_INVALID, and no version is added", async () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]",
    ].join("\n");
    const before = await count("policy_versions");
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/policy/versions",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/yaml" },
      payload: bomb,
    });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().code).toBe("PLEDGE_POLICY_INVALID");
    expect(res.body).toContain("too many aliases");
    expect(await count("policy_versions")).toBe(before);
  });
});

describe("card numbers however they are written", () => {
  it.each([
    ["dots", "4000.0012.3400.1063"],
    ["no-break spaces", "4000\u00a00012\u00a03400\u00a01063"],
    ["zero-width spaces", "4000\u200b0012\u200b3400\u200b1063"],
  ])("in campaign text with %s: 400, no campaign, the number not repeated", async (_what, card) => {
    const before = await count("campaigns");
    const res = await postCampaign({ text: `pay with ${card}` });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("PLEDGE_CARD_NUMBER_REFUSED");
    expect(res.body.detail).toContain("/text");
    expect(JSON.stringify(res.body)).not.toMatch(/4000|1063/);
    expect(await count("campaigns")).toBe(before);
  });

  it("as a JSON key: the refusal names the object holding it, never the key", async () => {
    const res = await send(
      "POST",
      "/v1/subjects",
      { status: "customer", fields: { "4000001234001162": "x" } },
      admin,
    );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("PLEDGE_CARD_NUMBER_REFUSED");
    expect(res.body.detail).toBe(
      "a property name in /fields contains a card number; send the payment provider's token instead",
    );
    expect(JSON.stringify(res.body)).not.toContain("4000001234001162");
  });
});
