import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  authenticate,
  createKey,
  createStaff,
  recordAttestation,
  revokeKey,
} from "../../src/modules/staff/staff.service.ts";
import { API_KEY_PATTERN } from "../../src/modules/staff/staff.ts";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { loadPackFile } from "../../src/policy/load.ts";
import { PledgeError } from "../../src/errors.ts";

async function events(t: TestApp, type: string) {
  return t.store.db
    .selectFrom("audit_log")
    .select(["type", "actor", "payload"])
    .where("type", "=", type)
    .execute();
}

describe("staff and API keys", () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await buildTestApp();
    admin = await t.apiKey("admin");
  });
  afterAll(async () => t.close());
  const as = { authorization: "" };
  const headers = () => ({ ...as, authorization: `Bearer ${admin}` });
  const ctx = () => ({ actor: "system", now: new Date() });

  it("an admin adds a staff member with a pack role; the store keeps only a hash of the key", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/staff",
      headers: headers(),
      payload: { displayName: "Robin", role: "customer_service" },
    });
    expect(res.statusCode).toBe(201);
    const staff = res.json();
    expect(staff).toMatchObject({ displayName: "Robin", role: "customer_service", attestedAt: null });

    const made = await t.app.inject({
      method: "POST",
      url: `/v1/staff/${staff.id}/keys`,
      headers: headers(),
    });
    expect(made.statusCode).toBe(201);
    const { key, prefix, id } = made.json();
    expect(key).toMatch(API_KEY_PATTERN);
    expect(key.startsWith(`pk_${prefix}_`)).toBe(true);
    const row = await t.store.db
      .selectFrom("api_keys")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toContain(row.hash);
    expect(JSON.stringify(row)).not.toContain(key.split("_").slice(2).join("_"));
  });

  it("a role the pack does not know is a 400 PLEDGE_UNKNOWN_ROLE", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/staff",
      headers: headers(),
      payload: { displayName: "Sam", role: "astronaut" },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("PLEDGE_UNKNOWN_ROLE");
  });

  it("unknown ids are 404, malformed ids 400", async () => {
    const missing = "00000000-0000-4000-8000-000000000000";
    expect(
      (await t.app.inject({ method: "POST", url: `/v1/staff/${missing}/keys`, headers: headers() })).json()
        .code,
    ).toBe("PLEDGE_NOT_FOUND");
    expect(
      (await t.app.inject({ method: "DELETE", url: `/v1/keys/${missing}`, headers: headers() })).statusCode,
    ).toBe(404);
    expect(
      (await t.app.inject({ method: "DELETE", url: "/v1/keys/not-a-uuid", headers: headers() })).statusCode,
    ).toBe(400);
  });

  it("key creation, revocation and attestation are audited in the same transaction", async () => {
    const pack = await loadPackFile("policies/partstore/2009-09-27.yaml");
    const staff = await createStaff(
      t.store.db,
      pack,
      { displayName: "Kim", role: "marketing", attested: false },
      ctx(),
    );
    const { key, record } = await createKey(t.store.db, staff.id, ctx());
    expect(await authenticate(t.store.db, key)).toEqual({
      keyId: record.id,
      staffId: staff.id,
      role: "marketing",
      attested: false,
    });
    await recordAttestation(t.store.db, staff.id, ctx());
    expect((await authenticate(t.store.db, key))?.attested).toBe(true);
    await revokeKey(t.store.db, record.id, ctx());
    await revokeKey(t.store.db, record.id, ctx()); // idempotent: no second event
    expect(await authenticate(t.store.db, key)).toBeNull();

    const mine = (rows: { payload: Record<string, unknown> }[]) =>
      rows.filter((r) => r.payload.staffId === staff.id);
    expect(mine(await events(t, "staff.key_created"))).toHaveLength(1);
    expect(mine(await events(t, "staff.attested"))).toHaveLength(1);
    expect(mine(await events(t, "staff.key_revoked"))).toEqual([
      { type: "staff.key_revoked", actor: "system", payload: { staffId: staff.id, keyId: record.id } },
    ]);
  });

  it("a failing mutation leaves no audit event behind", async () => {
    const before = (await events(t, "staff.key_created")).length;
    await expect(createKey(t.store.db, "00000000-0000-4000-8000-000000000000", ctx())).rejects.toBeInstanceOf(
      PledgeError,
    );
    expect((await events(t, "staff.key_created")).length).toBe(before);
  });

  it("the routes record the acting admin as the audit actor", async () => {
    const { staffId } = await t.staff("marketing", { attested: false });
    const res = await t.app.inject({
      method: "POST",
      url: `/v1/staff/${staffId}/attestation`,
      headers: headers(),
    });
    expect(res.statusCode).toBe(200);
    const rows = (await events(t, "staff.attested")).filter((r) => r.payload.staffId === staffId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.actor).toMatch(/^staff:[0-9a-f-]{36}$/);
  });

  it("an admin lists staff and each member's keys page by page: prefixes and dates, never a key or its hash", async () => {
    const made: string[] = [];
    for (const name of ["Listed Ada", "Listed Bo", "Listed Cy"]) {
      const res = await t.app.inject({
        method: "POST",
        url: "/v1/staff",
        headers: headers(),
        payload: { displayName: name, role: "customer_service", attested: true },
      });
      made.push(res.json().id as string);
    }
    // Every staff member, one page of two at a time, in the order they were added.
    const seen: { id: string; displayName: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/staff?limit=2${cursor === null ? "" : `&cursor=${cursor}`}`;
      const res = await t.app.inject({ method: "GET", url, headers: headers() });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { items: { id: string; displayName: string }[]; nextCursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items);
      cursor = body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 50);
    expect(new Set(seen.map((s) => s.id)).size).toBe(seen.length);
    expect(seen.filter((s) => made.includes(s.id)).map((s) => s.displayName)).toEqual([
      "Listed Ada",
      "Listed Bo",
      "Listed Cy",
    ]);
    expect(Object.keys(seen[0]!).sort()).toEqual(["attestedAt", "createdAt", "displayName", "id", "role"]);

    const [ada] = made;
    const first = await t.app.inject({ method: "POST", url: `/v1/staff/${ada}/keys`, headers: headers() });
    const second = await t.app.inject({ method: "POST", url: `/v1/staff/${ada}/keys`, headers: headers() });
    const used = first.json() as { id: string; key: string };
    const revoked = second.json() as { id: string; key: string };
    await t.app.inject({ method: "DELETE", url: `/v1/keys/${revoked.id}`, headers: headers() });
    const call = await t.app.inject({
      method: "POST",
      url: "/v1/decisions",
      headers: { authorization: `Bearer ${used.key}` },
      payload: {
        use: { action: "read", purpose: "essential.service.order_fulfilment", fields: ["order_id"] },
        facts: { subject: { status: "customer" } },
      },
    });
    expect(call.statusCode, call.body).toBe(200);

    const keys = await t.app.inject({ method: "GET", url: `/v1/staff/${ada}/keys`, headers: headers() });
    expect(keys.statusCode).toBe(200);
    const listed = keys.json() as { items: Record<string, unknown>[]; nextCursor: string | null };
    expect(listed.nextCursor).toBeNull();
    expect(listed.items.map((k) => k.id)).toEqual([used.id, revoked.id]);
    expect(listed.items[0]).toMatchObject({ staffId: ada, revokedAt: null, lastUsedAt: expect.any(String) });
    expect(listed.items[1]).toMatchObject({ revokedAt: expect.any(String), lastUsedAt: null });
    expect(Object.keys(listed.items[0]!).sort()).toEqual([
      "createdAt",
      "id",
      "lastUsedAt",
      "prefix",
      "revokedAt",
      "staffId",
    ]);
    const hashes = await t.store.db
      .selectFrom("api_keys")
      .select("hash")
      .where("staff_id", "=", ada!)
      .execute();
    for (const secret of [used.key, revoked.key].map((k) => k.split("_").slice(2).join("_"))) {
      expect(keys.body).not.toContain(secret);
    }
    for (const { hash } of hashes) expect(keys.body).not.toContain(hash);
  });

  it("listing is for admins: another role is 403, an unknown member 404, a forged cursor 400", async () => {
    const other = await t.apiKey("customer_service");
    const forbidden = await t.app.inject({
      method: "GET",
      url: "/v1/staff",
      headers: { authorization: `Bearer ${other}` },
    });
    expect(forbidden.statusCode).toBe(403);
    const missing = await t.app.inject({
      method: "GET",
      url: "/v1/staff/00000000-0000-4000-8000-000000000000/keys",
      headers: headers(),
    });
    expect(missing.json().code).toBe("PLEDGE_NOT_FOUND");
    const forged = Buffer.from(JSON.stringify({ createdAt: "yesterday", id: "x" })).toString("base64url");
    const bad = await t.app.inject({ method: "GET", url: `/v1/staff?cursor=${forged}`, headers: headers() });
    expect(bad.json().code).toBe("PLEDGE_INVALID_CURSOR");
  });
});
