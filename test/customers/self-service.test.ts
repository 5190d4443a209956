import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customer } from "../gpc/helpers.ts";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { PASSWORD, as, signIn, signedFrom, signedUp, signupBody, type Signed } from "./helpers.ts";

/** A signed-in customer's own record on zMailCloud (ZM-07): read, edit, CSRF, If-Match, password. */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ company: "zmailcloud" });
});
afterAll(() => t.close());

const me = (s: Signed) => t.app.inject({ method: "GET", url: "/v1/account/me", headers: as(s, {}, false) });
const patch = (s: Signed, body: Record<string, unknown>, headers: Record<string, string>) =>
  t.app.inject({
    method: "PATCH",
    url: "/v1/account/me",
    headers: { cookie: s.cookie, ...headers },
    payload: body,
  });

describe("/v1/account/me", () => {
  it("shows every field of the customer's own record, through the gate, audited as the customer", async () => {
    const c = await signedUp(t.app);
    const res = await me(c);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers.etag).toBe('"1"');
    const view = res.json() as {
      id: string;
      fields: Record<string, { value: string }>;
      decision: { outcome: string; policy: { company: string } };
    };
    expect(view.id).toBe(c.subjectId);
    expect(view.fields.email?.value).toBe(c.email);
    expect(view.fields.first_name?.value).toBe("Ada");
    expect(view.fields.customer_number?.value).toBe(c.customer);
    expect(view.decision).toMatchObject({ outcome: "allow", policy: { company: "zmailcloud" } });
    const audit = await t.store.db
      .selectFrom("audit_log")
      .select(["actor", "payload"])
      .where("subject_id", "=", c.subjectId)
      .where("type", "=", "decision")
      .orderBy("seq", "desc")
      .executeTakeFirstOrThrow();
    expect(audit.actor).toBe(`customer:${c.subjectId}`);
    expect(audit.payload).toMatchObject({
      action: "read",
      purpose: "essential.service.provision_billing",
      outcome: "allow",
    });
  });

  it("needs a session", async () => {
    const res = await t.app.inject({ method: "GET", url: "/v1/account/me" });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: "PLEDGE_SESSION_REQUIRED" });
    const forged = await t.app.inject({
      method: "GET",
      url: "/v1/account/me",
      headers: { cookie: `pledge_session=${"A".repeat(43)}` },
    });
    expect(forged.statusCode).toBe(401);
  });

  it("refuses a session id whose subject part names someone else, with the secret part kept", async () => {
    // From their own address, so these two sign-ups leave the file's sign-up rate limit alone.
    const signUpFrom = async (ip: string) =>
      signedFrom(
        await t.app.inject({
          method: "POST",
          url: "/v1/account/signup",
          payload: signupBody(),
          remoteAddress: ip,
        }),
      );
    const alice = await signUpFrom("198.51.100.21");
    const bob = await signUpFrom("198.51.100.22");
    // The id is the subject's 16 bytes then the secret; Bob's secret under Alice's subject.
    const secret = Buffer.from(bob.session, "base64url").subarray(16);
    const subject = Buffer.from(alice.subjectId.replaceAll("-", ""), "hex");
    const swapped = Buffer.concat([subject, secret]).toString("base64url");
    const res = await t.app.inject({
      method: "GET",
      url: "/v1/account/me",
      headers: { cookie: `pledge_session=${swapped}` },
    });
    expect(res.statusCode).toBe(401);
    expect((await me(bob)).statusCode).toBe(200);
  });

  it("edits the profile with If-Match; a stale ETag is 412 and a missing one 428, changing nothing", async () => {
    const c = await signedUp(t.app);
    const ok = await patch(
      c,
      { first_name: "Augusta", phone: "+1 415 555 0100" },
      { "x-csrf-token": c.csrfToken, "if-match": '"1"' },
    );
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.headers.etag).toBe('"2"');
    const stale = await patch(c, { first_name: "Stale" }, { "x-csrf-token": c.csrfToken, "if-match": '"1"' });
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ code: "PLEDGE_PRECONDITION_FAILED" });
    const missing = await patch(c, { first_name: "Missing" }, { "x-csrf-token": c.csrfToken });
    expect(missing.statusCode).toBe(428);
    const view = (await me(c)).json() as {
      version: number;
      fields: Record<string, { value: string; collectionPoint: string }>;
    };
    expect(view.version).toBe(2);
    expect(view.fields.first_name).toMatchObject({ value: "Augusta", collectionPoint: "web.account" });
    expect(view.fields.phone?.value).toBe("+14155550100");
  });

  it("refuses a state change without the session's CSRF token, or with another session's, and changes nothing", async () => {
    const c = await signedUp(t.app);
    const other = await signedUp(t.app);
    const missing = await patch(c, { first_name: "Mallory" }, { "if-match": '"1"' });
    const forged = await patch(
      c,
      { first_name: "Mallory" },
      { "if-match": '"1"', "x-csrf-token": other.csrfToken },
    );
    const garbage = await patch(c, { first_name: "Mallory" }, { "if-match": '"1"', "x-csrf-token": "x" });
    for (const res of [missing, forged, garbage]) {
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: "PLEDGE_CSRF_FAILED" });
    }
    const addr = await t.app.inject({
      method: "POST",
      url: "/v1/account/me/addresses",
      headers: as(c, {}, false),
      payload: {
        kind: "billing",
        address: { line1: "1 Main St", city: "Springfield", postalCode: "12345", country: "US" },
      },
    });
    expect(addr.statusCode).toBe(403);
    const signout = await t.app.inject({
      method: "POST",
      url: "/v1/account/signout",
      headers: as(c, {}, false),
    });
    expect(signout.statusCode).toBe(403);
    const view = (await me(c)).json() as {
      version: number;
      fields: Record<string, { value: string }>;
      addresses: unknown[];
    };
    expect(view.version).toBe(1);
    expect(view.fields.first_name?.value).toBe("Ada");
    expect(view.addresses).toEqual([]);
  });

  it("gives the session's CSRF token at GET /v1/account/csrf", async () => {
    const c = await signedUp(t.app);
    const res = await t.app.inject({ method: "GET", url: "/v1/account/csrf", headers: { cookie: c.cookie } });
    expect(res.json()).toMatchObject({ csrfToken: c.csrfToken });
  });

  it("ZM-07: adds and removes billing and shipping addresses and contacts", async () => {
    const c = await signedUp(t.app);
    const address = {
      line1: "1 Main St",
      city: "Springfield",
      region: "IL",
      postalCode: "62701",
      country: "US",
    };
    const added = await t.app.inject({
      method: "POST",
      url: "/v1/account/me/addresses",
      headers: as(c),
      payload: { kind: "billing", address },
    });
    expect(added.statusCode, added.body).toBe(201);
    const { addressId } = added.json() as { addressId: string };
    const contact = await t.app.inject({
      method: "POST",
      url: "/v1/account/me/contacts",
      headers: as(c),
      payload: { name: "Charles Babbage", email: "charles@example.com" },
    });
    expect(contact.statusCode, contact.body).toBe(201);
    const addresses = (
      await t.app.inject({ method: "GET", url: "/v1/account/me/addresses", headers: as(c) })
    ).json() as { kind: string }[];
    expect(addresses.map((a) => a.kind)).toEqual(["billing"]);
    const contacts = (
      await t.app.inject({ method: "GET", url: "/v1/account/me/contacts", headers: as(c) })
    ).json() as { name: string }[];
    expect(contacts.map((x) => x.name)).toEqual(["Charles Babbage"]);
    const removed = await t.app.inject({
      method: "DELETE",
      url: `/v1/account/me/addresses/billing/${addressId}`,
      headers: as(c),
    });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(((await me(c)).json() as { addresses: unknown[] }).addresses).toEqual([]);
  });

  it("records a choice of the customer's own: a topic granted again after stopping it, as themself, from the web", async () => {
    const c = await signedUp(t.app);
    const choose = (payload: Record<string, string>, csrf = true) =>
      t.app.inject({ method: "POST", url: "/v1/account/me/consents", headers: as(c, {}, csrf), payload });
    const stop = await choose({ targetKind: "topic", target: "blog", channel: "email", action: "withdrawn" });
    expect(stop.statusCode, stop.body).toBe(201);
    const grant = await choose({ targetKind: "topic", target: "blog", channel: "email", action: "granted" });
    expect(grant.statusCode, grant.body).toBe(201);
    expect(grant.json()).toMatchObject({ target: "blog", action: "granted", source: "web" });
    const now = (
      await t.app.inject({ method: "GET", url: "/v1/account/me/consents", headers: as(c) })
    ).json();
    expect(now.consents).toContainEqual(
      expect.objectContaining({ scope: "blog", channel: "email", state: "granted" }),
    );
    const ledger = await t.store.db
      .selectFrom("consent_events")
      .select(["actor", "source", "action"])
      .where("subject_id", "=", c.subjectId)
      .where("target", "=", "blog")
      .execute();
    expect(ledger).toHaveLength(2);
    expect(ledger).toEqual(
      expect.arrayContaining([
        { actor: `customer:${c.subjectId}`, source: "web", action: "withdrawn" },
        { actor: `customer:${c.subjectId}`, source: "web", action: "granted" },
      ]),
    );
    // An unknown target, another source, or no CSRF token: refused, nothing written.
    expect(
      (await choose({ targetKind: "topic", target: "nope", channel: "email", action: "granted" })).statusCode,
    ).toBe(400);
    expect(
      (await choose({ targetKind: "topic", target: "blog", action: "granted", source: "staff" })).statusCode,
    ).toBe(400);
    expect(
      (await choose({ targetKind: "topic", target: "blog", action: "withdrawn" }, false)).statusCode,
    ).toBe(403);
    const after = await t.store.db
      .selectFrom("consent_events")
      .select("event_id")
      .where("subject_id", "=", c.subjectId)
      .where("target", "=", "blog")
      .execute();
    expect(after).toHaveLength(2);
  });

  it("shows the consent choices on file", async () => {
    const c = await signedUp(t.app);
    const res = await t.app.inject({ method: "GET", url: "/v1/account/me/consents", headers: as(c) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      consents: [],
      optOuts: [],
      permissions: [],
      gpc: { honoured: false, at: null },
    });
  });

  it("changes the password after re-authentication and ends the other sessions", async () => {
    const c = await signedUp(t.app);
    const second = signedFrom(await signIn(t.app, c.email, PASSWORD, { ip: "192.0.2.50" }));
    const wrong = await t.app.inject({
      method: "POST",
      url: "/v1/account/password",
      headers: as(c),
      payload: { currentPassword: "not my password", newPassword: "a brand new passphrase" },
    });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toMatchObject({ code: "PLEDGE_REAUTH_FAILED" });
    const changed = await t.app.inject({
      method: "POST",
      url: "/v1/account/password",
      headers: as(c),
      payload: { currentPassword: PASSWORD, newPassword: "a brand new passphrase" },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const next = signedFrom(changed, c.customer);
    expect((await me(c)).statusCode).toBe(401);
    expect((await me(second)).statusCode).toBe(401);
    expect((await me(next)).statusCode).toBe(200);
    expect((await signIn(t.app, c.email, PASSWORD, { ip: "192.0.2.51" })).statusCode).toBe(401);
    expect((await signIn(t.app, c.email, "a brand new passphrase", { ip: "192.0.2.52" })).statusCode).toBe(
      200,
    );
  });

  it("signs out: the session ends and the cookie is cleared", async () => {
    const c = await signedUp(t.app);
    const res = await t.app.inject({ method: "POST", url: "/v1/account/signout", headers: as(c) });
    expect(res.statusCode).toBe(204);
    expect(String(res.headers["set-cookie"])).toMatch(/pledge_session=; Max-Age=0/);
    expect((await me(c)).statusCode).toBe(401);
  });

  it("API-key requests carry no cookie authority and need no CSRF token", async () => {
    const key = await t.apiKey("admin");
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/decisions",
      headers: { authorization: `Bearer ${key}` },
      payload: {
        use: { action: "read", purpose: "essential.service.provision_billing", fields: ["email"] },
        facts: { subject: null },
      },
    });
    expect(res.statusCode).toBe(200);
  });

  it("ZM-07: the customer orders, changes and cancels a service of their own, with If-Match; another's is not found", async () => {
    // Each from its own address: this file's sign-ups reach the per-source limit otherwise.
    const c = await customer(t);
    const other = await customer(t);
    const ordered = await t.app.inject({
      method: "POST",
      url: "/v1/account/me/services",
      headers: as(c),
      payload: { plan: "Mail 10 GB" },
    });
    expect(ordered.statusCode, ordered.body).toBe(201);
    const service = ordered.json() as { serviceId: string; version: number; status: string };
    expect(ordered.json()).toMatchObject({ status: "active" });
    const url = `/v1/account/me/services/${service.serviceId}`;
    const patch = (who: Signed, payload: object, ifMatch?: string) =>
      t.app.inject({
        method: "PATCH",
        url,
        headers: as(who, ifMatch === undefined ? {} : { "if-match": ifMatch }),
        payload,
      });
    expect((await patch(c, { action: "change", plan: "Mail 50 GB" })).statusCode).toBe(428);
    expect((await patch(c, { action: "change", plan: "Mail 50 GB" }, '"9"')).statusCode).toBe(412);
    expect((await patch(other, { action: "cancel" }, `"${service.version}"`)).statusCode).toBe(404);
    const changed = await patch(c, { action: "change", plan: "Mail 50 GB" }, `"${service.version}"`);
    expect(changed.statusCode, changed.body).toBe(200);
    const cancelled = await patch(
      c,
      { action: "cancel" },
      `"${(changed.json() as { version: number }).version}"`,
    );
    expect(cancelled.json()).toMatchObject({ status: "cancelled" });
    const again = await patch(
      c,
      { action: "cancel" },
      `"${(cancelled.json() as { version: number }).version}"`,
    );
    expect(again.statusCode).toBe(409);
    const mine = await t.app.inject({ method: "GET", url: "/v1/account/me/services", headers: as(c) });
    const items = (
      mine.json() as { items: { plan: string; status: string; history: { action: string }[] }[] }
    ).items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ plan: "Mail 50 GB", status: "cancelled" });
    expect(items[0]!.history.map((h) => h.action)).toEqual(["add", "change", "cancel"]);
    const theirs = await t.app.inject({ method: "GET", url: "/v1/account/me/services", headers: as(other) });
    expect((theirs.json() as { items: unknown[] }).items).toEqual([]);
  });

  it("lists the customer's payment methods without the provider token, and lets them allow or stop reuse", async () => {
    const c = await customer(t);
    const admin = await t.apiKey("admin");
    const added = await t.app.inject({
      method: "POST",
      url: `/v1/subjects/${c.subjectId}/payment-methods`,
      headers: { authorization: `Bearer ${admin}` },
      payload: {
        token: "tok_1N3xYz2eZvKYlo2C",
        brand: "visa",
        last4: "4242",
        expiry: "09/2029",
        orderId: "ORD-1",
        reuseAllowed: false,
        purpose: "essential.service.provision_billing",
        collectionPoint: "web.checkout",
      },
    });
    expect(added.statusCode, added.body).toBe(201);
    const list = await t.app.inject({ method: "GET", url: "/v1/account/me/payment-methods", headers: as(c) });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.body).not.toContain("tok_1N3xYz2eZvKYlo2C");
    const [pm] = (list.json() as { items: { paymentMethodId: string; version: number }[] }).items;
    expect(pm).toMatchObject({
      brand: "visa",
      last4: "4242",
      expiry: "09/2029",
      givenForOrder: "ORD-1",
      reuseAllowed: false,
    });
    const url = `/v1/account/me/payment-methods/${pm!.paymentMethodId}`;
    expect(
      (await t.app.inject({ method: "PATCH", url, headers: as(c), payload: { reuseAllowed: true } }))
        .statusCode,
    ).toBe(428);
    const allowed = await t.app.inject({
      method: "PATCH",
      url,
      headers: as(c, { "if-match": `"${pm!.version}"` }),
      payload: { reuseAllowed: true },
    });
    expect(allowed.statusCode, allowed.body).toBe(200);
    expect(allowed.json()).toMatchObject({ reuseAllowed: true });
    expect(allowed.body).not.toContain("tok_1N3xYz2eZvKYlo2C");
    const permission = await t.store.db
      .selectFrom("consent_events")
      .select(["target", "action", "actor"])
      .where("subject_id", "=", c.subjectId)
      .where("target", "=", "card_reuse")
      .execute();
    expect(permission).toEqual([
      { target: "card_reuse", action: "granted", actor: `customer:${c.subjectId}` },
    ]);
    const other = await customer(t);
    const theirs = await t.app.inject({
      method: "PATCH",
      url,
      headers: as(other, { "if-match": "*" }),
      payload: { reuseAllowed: false },
    });
    expect(theirs.statusCode).toBe(404);
  });
});
