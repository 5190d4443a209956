import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subjectsFixture, type SubjectsFixture } from "../../subjects/helpers.ts";
import { aCharge, exportCorrectErase } from "../../customers/all04.ts";

/** zMailCloud: the customer record through /v1/subjects. */
const P = "essential.service.provision_billing";
let f: SubjectsFixture;
beforeAll(async () => {
  f = await subjectsFixture("zmailcloud");
});
afterAll(() => f.t.close());

describe("zmailcloud subjects", () => {
  it("ZM-02: where each piece of information was given is recorded, and exported", async () => {
    const { id } = (
      await f.create({
        birthDate: null,
        collectionPoint: "newsletter.signup",
        fields: { email: "zm02@example.com" },
      })
    ).json();
    const address = { line1: "9 Elm St", city: "Boston", postalCode: "02110", country: "US" };
    await f.req("POST", `/v1/subjects/${id}/addresses`, {
      body: { purpose: P, collectionPoint: "billing.manager", kind: "billing", address },
    });
    const doc = (await f.req("GET", `/v1/subjects/${id}/export?purpose=${P}`)).json();
    expect(doc.sections.profile.fields.email).toMatchObject({
      collectionPoint: "newsletter.signup",
      policyVersion: "2015-10-17",
    });
    expect(doc.sections.addresses[0]).toMatchObject({
      kind: "billing",
      provenance: { collectionPoint: "billing.manager" },
    });
  });

  it("ZM-07: contacts and addresses are added and removed on the account", async () => {
    const { id } = (await f.create({ birthDate: null, fields: { email: "zm07@example.com" } })).json();
    const c = await f.req("POST", `/v1/subjects/${id}/contacts`, {
      body: {
        purpose: P,
        collectionPoint: "admin.pages",
        contact: { name: "Ops Desk", phone: "+1 617 555 0107" },
      },
    });
    expect(c.statusCode).toBe(201);
    expect((await f.req("GET", `/v1/subjects/${id}/contacts?purpose=${P}`)).json().items).toHaveLength(1);
    const del = await f.req("DELETE", `/v1/subjects/${id}/contacts/${c.json().contactId}?purpose=${P}`);
    expect(del.statusCode).toBe(200);
    expect((await f.req("GET", `/v1/subjects/${id}/contacts?purpose=${P}`)).json().items).toHaveLength(0);
  });

  it("ZM-13: each customer has a unique, unguessable customer number", async () => {
    const ids = await Promise.all(
      ["a", "b"].map(
        async (x) =>
          (await f.create({ birthDate: null, fields: { email: `zm13${x}@example.com` } })).json().id,
      ),
    );
    const numbers = await Promise.all(
      ids.map(
        async (id) =>
          (await f.req("GET", `/v1/subjects/${id}?purpose=${P}&fields=customer_number`)).json().fields
            .customer_number.value,
      ),
    );
    expect(new Set(numbers).size).toBe(2);
    for (const n of numbers) expect(n).toMatch(/^C[A-Z2-7]{12}$/);
  });

  it("ALL-04: a person's data is exported, corrected and erased; the charges the law keeps stay and the erasure says so; the export shows who it was given to", async () => {
    await exportCorrectErase(f, {
      purpose: "essential.service.provision_billing",
      email: "all04-zmailcloud@example.com",
      kept: aCharge("essential.service.provision_billing"),
      share: {
        recipient: "customer-organisation",
        purpose: "essential.service.provision_billing",
        fields: ["last_name"],
      },
    });
  });
});
