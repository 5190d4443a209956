import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removalFixture, type RemovalFixture } from "../../removal/helpers.ts";

/** Zones 2019-12-31 (clock pinned inside that version): removal requests and their routing. */
const AT = new Date("2020-06-01T12:00:00Z");
let f: RemovalFixture;
beforeAll(async () => {
  f = await removalFixture(() => AT);
});
afterAll(() => f.t.close());

describe("zones 2019 removal requests", () => {
  it("Z19-06: a US person is removed at once from mail and email lists by name, address and ZIP, or by email", async () => {
    const byAddress = await f.person();
    const byEmail = await f.person();
    for (const p of [byAddress, byEmail]) await f.optIn(p.id);
    const r1 = await f.remove({
      firstName: byAddress.firstName,
      lastName: byAddress.lastName,
      postalAddress: byAddress.address,
      zip: byAddress.address.postalCode,
      jurisdiction: "US",
    });
    expect(r1.json()).toMatchObject({ status: "applied", queue: "customer-service", matched: 1 });
    const r2 = await f.remove({ email: byEmail.email });
    expect(r2.json()).toMatchObject({ status: "applied", matched: 1 });
    const email = await f.audience("email");
    const postal = await f.audience("postal");
    for (const gone of [byAddress.id, byEmail.id]) {
      expect(email).not.toContain(gone);
      expect(postal).not.toContain(gone);
    }
  });

  it("Z19-06: a request from an EU resident goes to the infosec queue and takes effect when infosec applies it", async () => {
    const p = await f.person({ jurisdiction: "EU" });
    await f.optIn(p.id);
    const r = await f.remove({ email: p.email });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({ status: "queued", queue: "infosec" });
    expect(await f.audience("email")).toContain(p.id);
    const queue = (await f.req("GET", "/v1/removal-requests?queue=infosec", { key: f.infosec })).json();
    expect(queue.items).toContainEqual(expect.objectContaining({ id: r.json().id, status: "queued" }));
    const applied = await f.req("POST", `/v1/removal-requests/${r.json().id}/apply`, { key: f.infosec });
    expect(applied.json()).toMatchObject({ status: "applied", matched: 1 });
    expect(await f.audience("email")).not.toContain(p.id);
    expect(await f.audience("postal")).not.toContain(p.id);
  });

  it("Z19-06: a resident of an EU country, on the stored record or stated on the request, goes to the infosec queue", async () => {
    // "EU resident" covers each member state's own code, in any spelling, not only "EU".
    for (const jurisdiction of ["DE", "fr", "IT"]) {
      const p = await f.person({ jurisdiction });
      await f.optIn(p.id);
      const r = await f.remove({ email: p.email });
      expect(r.json(), jurisdiction).toMatchObject({ status: "queued", queue: "infosec" });
      expect(await f.audience("email")).toContain(p.id);
    }
    // A person on file as a US resident who states an EU country on the request: the request's word counts.
    const stated = await f.person();
    await f.optIn(stated.id);
    const r = await f.remove({ email: stated.email, jurisdiction: "FR" });
    expect(r.json()).toMatchObject({ status: "queued", queue: "infosec" });
    expect(await f.audience("email")).toContain(stated.id);
  });

  it("Z19-06: a California resident (US-CA, which the pack names) is removed at once by customer service", async () => {
    const p = await f.person({ jurisdiction: "US-CA" });
    await f.optIn(p.id);
    const r = await f.remove({ email: p.email, jurisdiction: "us-ca" });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ status: "applied", queue: "customer-service", matched: 1 });
    expect(await f.audience("email")).not.toContain(p.id);
  });
});
