import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditOf, subjectsFixture, type SubjectsFixture } from "./helpers.ts";

const P = "essential.service.account";
let f: SubjectsFixture;
beforeAll(async () => {
  f = await subjectsFixture("zones");
});
afterAll(() => f.t.close());

describe("the customer record over HTTP", () => {
  it("creates, reads for a purpose with provenance, and audits the read with the subject id", async () => {
    const c = await f.create({ fields: { first_name: "Grace", email: "Grace@Example.com", zip: "10001" } });
    expect(c.statusCode).toBe(201);
    expect(c.headers.etag).toBe('"1"');
    const { id } = c.json();
    expect(c.body).not.toContain("grace");
    const before = (await auditOf(f.t, id)).length;
    const r = await f.req("GET", `/v1/subjects/${id}?purpose=${P}&fields=first_name,email,customer_number`);
    expect(r.statusCode).toBe(200);
    const view = r.json();
    expect(view.fields.first_name.value).toBe("Grace");
    expect(view.fields.email).toMatchObject({
      value: "grace@example.com",
      collectionPoint: "web.signup",
      purpose: P,
    });
    expect(view.fields.customer_number.value).toMatch(/^C[A-Z2-7]{12}$/);
    expect(view.fields.zip).toBeUndefined();
    const rows = await auditOf(f.t, id);
    expect(rows.length).toBe(before + 1);
    expect(rows.at(-1)).toMatchObject({
      type: "decision",
      payload: { outcome: "allow", action: "read", purpose: P },
    });
    expect(JSON.stringify(rows)).not.toContain("Grace");
  });

  it("refuses a second subject with the same email (409) and writes nothing", async () => {
    expect((await f.create({ fields: { email: "dup@example.com" } })).statusCode).toBe(201);
    const count = async () =>
      (
        await f.t.store.db
          .selectFrom("subjects")
          .select((e) => e.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n;
    const n = await count();
    const again = await f.create({ fields: { email: " DUP@example.com " } });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("PLEDGE_DUPLICATE_IDENTITY");
    expect(await count()).toBe(n);
  });

  it.each([
    ["email", { email: "not-an-email" }, "PLEDGE_INVALID_EMAIL"],
    ["phone", { phone: "call me" }, "PLEDGE_INVALID_PHONE"],
    ["zip", { zip: "ABCDE" }, "PLEDGE_INVALID_POSTAL_CODE"],
  ])("an invalid %s is a 400 with its code, never echoing the value", async (_n, fields, code) => {
    const r = await f.create({ fields: fields as Record<string, string> });
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe(code);
    expect(r.body).not.toContain(Object.values(fields)[0]);
  });

  it("an invalid postal code in an address is a 400", async () => {
    const address = {
      kind: "shipping",
      line1: "1 Main St",
      city: "Springfield",
      postalCode: "nope",
      country: "US",
    };
    const r = await f.create({ fields: { email: "addr@example.com" }, addresses: [address] });
    expect(r.json().code).toBe("PLEDGE_INVALID_POSTAL_CODE");
  });

  it("updates with If-Match; stale 412, missing 428; the change is audited with field names", async () => {
    const { id } = (await f.create({ fields: { email: "upd@example.com" } })).json();
    const body = {
      purpose: P,
      collectionPoint: "console.edit",
      fields: { last_name: "Hopper", phone: null },
    };
    expect((await f.req("PATCH", `/v1/subjects/${id}`, { body })).statusCode).toBe(428);
    const ok = await f.req("PATCH", `/v1/subjects/${id}`, { body, headers: { "if-match": '"1"' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.etag).toBe('"2"');
    const stale = await f.req("PATCH", `/v1/subjects/${id}`, { body, headers: { "if-match": '"1"' } });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().code).toBe("PLEDGE_PRECONDITION_FAILED");
    const updated = (await auditOf(f.t, id)).find((r) => r.type === "subject.updated");
    expect(updated?.payload).toMatchObject({
      fields: ["last_name", "phone"],
      collectionPoint: "console.edit",
      version: 2,
    });
    const r = await f.req("GET", `/v1/subjects/${id}?purpose=${P}&fields=last_name,phone`);
    expect(r.json().fields.last_name).toMatchObject({ value: "Hopper", collectionPoint: "console.edit" });
    expect(r.json().fields.phone).toBeUndefined();
  });

  it("finds a subject by email given in the body, never the URL", async () => {
    const { id } = (await f.create({ fields: { email: "find@example.com" } })).json();
    const r = await f.req("POST", "/v1/subjects/search", { body: { purpose: P, email: "FIND@example.com" } });
    expect(r.json().items.map((s: { id: string }) => s.id)).toEqual([id]);
    const none = await f.req("POST", "/v1/subjects/search", {
      body: { purpose: P, email: "nobody@example.com" },
    });
    expect(none.json().items).toEqual([]);
  });

  it("lists with cursor pagination and filters, carrying no personal values", async () => {
    await f.create({ status: "prospect", fields: { email: "p1@example.com" } });
    await f.create({ status: "prospect", fields: { email: "p2@example.com" } });
    await f.create({ status: "prospect", fields: { email: "p3@example.com" } });
    const seen: string[] = [];
    let url = "/v1/subjects?status=prospect&limit=2";
    for (;;) {
      const page = (await f.req("GET", url)).json();
      seen.push(...page.items.map((s: { id: string; status: string }) => s.status));
      expect(JSON.stringify(page)).not.toContain("@");
      if (page.nextCursor === null) break;
      url = `/v1/subjects?status=prospect&limit=2&cursor=${page.nextCursor}`;
    }
    expect(seen).toEqual(["prospect", "prospect", "prospect"]);
    expect((await f.req("GET", "/v1/subjects?cursor=bm9wZQ")).json().code).toBe("PLEDGE_INVALID_CURSOR");
  });

  it("adds, lists and removes addresses and contacts, bumping the version", async () => {
    const { id } = (await f.create({ fields: { email: "parts@example.com" } })).json();
    const address = { line1: "1 Main St", city: "Springfield", postalCode: "62701", country: "us" };
    const a = await f.req("POST", `/v1/subjects/${id}/addresses`, {
      body: { purpose: P, collectionPoint: "web.account", kind: "shipping", address },
    });
    expect(a.statusCode).toBe(201);
    const list = (await f.req("GET", `/v1/subjects/${id}/addresses?purpose=${P}`)).json();
    expect(list.items[0]).toMatchObject({
      kind: "shipping",
      address: { city: "Springfield", country: "US" },
    });
    const contact = { name: "Bob Ops", email: "bob@example.com" };
    const zm = await f.req("POST", `/v1/subjects/${id}/contacts`, {
      body: { purpose: P, collectionPoint: "web.account", contact },
    });
    expect(zm.statusCode).toBe(201);
    const contacts = (await f.req("GET", `/v1/subjects/${id}/contacts?purpose=${P}`)).json();
    expect(contacts.items[0]).toMatchObject({ name: "Bob Ops", email: "bob@example.com" });
    const del = await f.req(
      "DELETE",
      `/v1/subjects/${id}/addresses/${a.json().addressId}?purpose=${P}&kind=shipping`,
    );
    expect(del.json().version).toBe(4);
  });
});
