import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removalFixture, type RemovalFixture } from "../../removal/helpers.ts";

/** Zones 2016-11-28 (clock pinned inside that version): removal requests to customer service. */
const AT = new Date("2017-06-01T12:00:00Z");
let f: RemovalFixture;
beforeAll(async () => {
  f = await removalFixture(() => AT);
});
afterAll(() => f.t.close());

describe("zones 2016 removal requests", () => {
  it("Z16-14: customer service removes a person from mail and email lists by name, address or email, and ZIP, at once", async () => {
    const byEmail = await f.person();
    const byAddress = await f.person();
    const bystander = await f.person();
    for (const p of [byEmail, byAddress, bystander]) await f.optIn(p.id);
    const emailAudience = await f.audience("email");
    expect(emailAudience).toEqual(expect.arrayContaining([byEmail.id, byAddress.id, bystander.id]));

    // The 2016 pack needs names and ZIP with an email: an email alone is refused, naming the sets.
    const alone = await f.remove({ email: byEmail.email });
    expect(alone.statusCode).toBe(400);
    expect(alone.json().detail).toContain("[first_name, last_name, email, zip]");

    const r1 = await f.remove({
      firstName: byEmail.firstName,
      lastName: byEmail.lastName,
      email: byEmail.email,
      zip: byEmail.address.postalCode,
    });
    expect(r1.statusCode).toBe(200);
    expect(r1.json()).toMatchObject({ status: "applied", matched: 1 });
    const r2 = await f.remove({
      firstName: byAddress.firstName,
      lastName: byAddress.lastName,
      postalAddress: byAddress.address,
      zip: byAddress.address.postalCode,
    });
    expect(r2.json()).toMatchObject({ status: "applied", matched: 1 });

    const email = await f.audience("email");
    const postal = await f.audience("postal");
    for (const gone of [byEmail.id, byAddress.id]) {
      expect(email).not.toContain(gone);
      expect(postal).not.toContain(gone);
    }
    expect(email).toContain(bystander.id);
    expect(postal).toContain(bystander.id);
  });

  it("Z16-14: a request whose name does not match the record removes nobody", async () => {
    const p = await f.person();
    await f.optIn(p.id);
    const r = await f.remove({ firstName: "Alan", lastName: p.lastName, email: p.email, zip: "22201" });
    expect(r.json()).toMatchObject({ status: "applied", matched: 0 });
    expect(await f.audience("email")).toContain(p.id);
  });
});
