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
});
