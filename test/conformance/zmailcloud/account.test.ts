import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../../harness/app.ts";
import { PASSWORD, as, cookiesOf, signIn, signedUp } from "../../customers/helpers.ts";

/** zMailCloud: customers' own edits (ZM-07) and the customer number cookie (ZM-13). */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ company: "zmailcloud" });
});
afterAll(() => t.close());

describe("zmailcloud: own access", () => {
  it("ZM-07: customers view and edit their information, add contacts, addresses and billing details", async () => {
    const c = await signedUp(t.app);
    const edit = await t.app.inject({
      method: "PATCH",
      url: "/v1/account/me",
      headers: as(c, { "if-match": '"1"' }),
      payload: { first_name: "Augusta", phone: "+1 415 555 0100" },
    });
    expect(edit.statusCode, edit.body).toBe(200);
    for (const kind of ["billing", "postal"]) {
      const res = await t.app.inject({
        method: "POST",
        url: "/v1/account/me/addresses",
        headers: as(c),
        payload: {
          kind,
          address: {
            line1: "10 Downing St",
            city: "Austin",
            region: "TX",
            postalCode: "73301",
            country: "US",
          },
        },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const contact = await t.app.inject({
      method: "POST",
      url: "/v1/account/me/contacts",
      headers: as(c),
      payload: { name: "Charles Babbage", phone: "+1 415 555 0111" },
    });
    expect(contact.statusCode, contact.body).toBe(201);
    const view = (await t.app.inject({ method: "GET", url: "/v1/account/me", headers: as(c) })).json() as {
      version: number;
      fields: Record<string, { value: string }>;
      addresses: { kind: string }[];
    };
    expect(view.version).toBe(5);
    expect(view.fields.first_name?.value).toBe("Augusta");
    expect(view.addresses.map((a) => a.kind).sort()).toEqual(["billing", "postal"]);
    const contacts = (
      await t.app.inject({ method: "GET", url: "/v1/account/me/contacts", headers: as(c) })
    ).json() as unknown[];
    expect(contacts).toHaveLength(1);
  });

  it("ZM-13: every registered customer has a unique identifier, carried by a cookie the site can read", async () => {
    const a = await signedUp(t.app);
    const b = await signedUp(t.app);
    expect(a.customer).toMatch(/^C[A-Z2-7]{12}$/);
    expect(a.customer).not.toBe(b.customer);
    const res = await signIn(t.app, a.email, PASSWORD, { ip: "192.0.2.13" });
    const cookie = cookiesOf(res).get("pledge_customer")!;
    expect(cookie.value).toBe(a.customer);
    expect(cookie).toMatchObject({ secure: true, path: "/", sameSite: "Lax" });
    expect(cookie.httpOnly).not.toBe(true);
    expect(cookie.maxAge).toBeGreaterThan(30 * 24 * 3600);
    // It is the record's customer number, and carries nothing personal.
    const view = (await t.app.inject({ method: "GET", url: "/v1/account/me", headers: as(a) })).json() as {
      fields: Record<string, { value: string }>;
    };
    expect(view.fields.customer_number?.value).toBe(a.customer);
    for (const personal of [a.email, "Ada", "Lovelace", "1990"]) expect(cookie.value).not.toContain(personal);
    // It stays after sign-out, so the site still recognises the customer.
    const out = await t.app.inject({ method: "POST", url: "/v1/account/signout", headers: as(a) });
    expect(String(out.headers["set-cookie"])).not.toContain("pledge_customer=");
  });
});
