import { ACCOUNT } from "../harness/purposes.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dumpAll } from "../subjects/helpers.ts";
import { removalFixture, type RemovalFixture } from "./helpers.ts";

/** Removal requests through /v1/removal-requests, under the zones pack in force (2019-12-31). */
let f: RemovalFixture;
beforeAll(async () => {
  f = await removalFixture();
});
afterAll(() => f.t.close());

describe("removal requests", () => {
  it("by name, postal address and ZIP: marketing stops at once on email and post", async () => {
    const p = await f.person();
    const other = await f.person();
    await f.optIn(p.id);
    await f.optIn(other.id);
    expect(await f.audience("email")).toEqual(expect.arrayContaining([p.id, other.id]));
    expect(await f.audience("postal")).toContain(p.id);
    const r = await f.remove({
      firstName: "grace",
      lastName: p.lastName.toUpperCase(),
      postalAddress: { ...p.address, line1: p.address.line1.toLowerCase() },
      zip: p.address.postalCode,
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: "applied", queue: "customer-service", matched: 1 });
    const email = await f.audience("email");
    expect(email).not.toContain(p.id);
    expect(email).toContain(other.id);
    expect(await f.audience("postal")).not.toContain(p.id);
    const prefs = (await f.req("GET", `/v1/subjects/${p.id}/consents?purpose=${ACCOUNT.zones}`)).json();
    expect(
      prefs.items.some(
        (e: { action: string; source: string }) => e.action === "withdrawn" && e.source === "staff",
      ),
    ).toBe(true);
  });

  it("by email alone (2019 pack)", async () => {
    const p = await f.person();
    await f.optIn(p.id);
    const r = await f.remove({ email: p.email.toUpperCase() });
    expect(r.json()).toMatchObject({ status: "applied", matched: 1 });
    expect(await f.audience("email")).not.toContain(p.id);
  });

  it("a name that does not match the record removes nobody", async () => {
    const p = await f.person();
    await f.optIn(p.id);
    const r = await f.remove({
      firstName: "Someone",
      lastName: p.lastName,
      postalAddress: p.address,
      zip: "22201",
    });
    expect(r.json()).toMatchObject({ status: "applied", matched: 0 });
    const wrongZip = await f.remove({
      firstName: p.firstName,
      lastName: p.lastName,
      postalAddress: p.address,
      zip: "10001",
    });
    expect(wrongZip.json()).toMatchObject({ matched: 0 });
    expect(await f.audience("email")).toContain(p.id);
    expect(await f.audience("postal")).toContain(p.id);
  });

  it("fields that satisfy no removal_match set are refused with the sets accepted", async () => {
    const r = await f.remove({ firstName: "Grace", lastName: "Hopper", zip: "22201" });
    expect(r.statusCode).toBe(400);
    expect(r.json().detail).toContain("[first_name, last_name, postal_address, zip] or [email]");
    expect(JSON.stringify(r.json())).not.toContain("Hopper");
  });

  it("an EU request is queued for infosec, listed without values, and applied from the queue", async () => {
    const p = await f.person({ jurisdiction: "EU" });
    await f.optIn(p.id);
    const r = await f.remove({ email: p.email });
    expect(r.statusCode).toBe(202);
    const { id } = r.json();
    expect(r.json()).toMatchObject({ status: "queued", queue: "infosec", matched: 1 });
    expect(await f.audience("email")).toContain(p.id);
    const explicit = await f.remove({ email: "someone.else@example.com", jurisdiction: "EU" });
    expect(explicit.json()).toMatchObject({ status: "queued", queue: "infosec", matched: 0 });
    const forbidden = await f.req("GET", "/v1/removal-requests?queue=infosec", { key: f.cs });
    expect(forbidden.statusCode).toBe(403);
    const list = await f.req("GET", "/v1/removal-requests?queue=infosec", { key: f.infosec });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((i: { id: string }) => i.id)).toContain(id);
    expect(list.body).not.toContain(p.email);
    expect((await f.req("POST", `/v1/removal-requests/${id}/apply`, { key: f.cs })).statusCode).toBe(403);
    const applied = await f.req("POST", `/v1/removal-requests/${id}/apply`, { key: f.infosec });
    expect(applied.json()).toMatchObject({ id, status: "applied", queue: "infosec", matched: 1 });
    expect(await f.audience("email")).not.toContain(p.id);
    const again = (await f.req("GET", "/v1/removal-requests?queue=infosec", { key: f.infosec })).json();
    expect(again.items.find((i: { id: string }) => i.id === id).status).toBe("applied");
  });

  it("stores and audits no personal values", async () => {
    const p = await f.person();
    await f.remove({ firstName: p.firstName, lastName: p.lastName, postalAddress: p.address, zip: "22201" });
    const rows = [
      ...(await f.t.store.db.selectFrom("list_removal_digests").selectAll().execute()),
      ...(await f.t.store.db
        .selectFrom("rights_requests")
        .selectAll()
        .where("kind", "=", "list_removal")
        .execute()),
    ];
    const text = JSON.stringify(rows);
    for (const v of [p.lastName, p.email, p.address.line1.toUpperCase(), "ELM STREET"])
      expect(text).not.toContain(v);
    const audit = await f.t.store.db
      .selectFrom("audit_log")
      .select(["type", "payload"])
      .where("type", "like", "request.%")
      .execute();
    expect(audit.length).toBeGreaterThanOrEqual(rows.length);
    expect(JSON.stringify(audit)).not.toContain(p.lastName);
    expect((await dumpAll(f.t)).includes(p.lastName)).toBe(false);
  });
});
