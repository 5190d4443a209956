import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dumpAll, subjectsFixture, type SubjectsFixture } from "../../subjects/helpers.ts";
import { anOrder, exportCorrectErase } from "../../customers/all04.ts";

/** PartStore: the customer record through /v1/subjects. */
let f: SubjectsFixture;
beforeAll(async () => {
  f = await subjectsFixture("partstore");
});
afterAll(() => f.t.close());

describe("partstore subjects", () => {
  it("PS-02: no API accepts a card number, so none is returned and the record never holds one", async () => {
    const card = "4012888888881881";
    const create = await f.create({ birthDate: null, fields: { first_name: "Pat", last_name: card } });
    expect(create.json().code).toBe("PLEDGE_CARD_NUMBER_REFUSED");
    const { id } = (
      await f.create({ birthDate: null, fields: { first_name: "Pat", email: "ps02@example.com" } })
    ).json();
    const contact = await f.req("POST", `/v1/subjects/${id}/contacts`, {
      body: {
        purpose: "essential.service.order_fulfilment",
        collectionPoint: "web",
        contact: { name: card },
      },
    });
    expect(contact.statusCode).toBe(400);
    const search = await f.req("POST", "/v1/subjects/search", {
      body: { purpose: "essential.service.order_fulfilment", phone: card },
    });
    expect(search.statusCode).toBe(400);
    const exp = await f.req("GET", `/v1/subjects/${id}/export?purpose=essential.service.order_fulfilment`);
    expect(exp.body).not.toContain(card);
    expect(await dumpAll(f.t)).not.toContain(card);
  });

  it("ALL-04: a person's data is exported, corrected and erased; the orders the law keeps stay and the erasure says so; the export shows who it was given to", async () => {
    await exportCorrectErase(f, {
      purpose: "essential.service.order_fulfilment",
      email: "all04-partstore@example.com",
      kept: anOrder("essential.service.order_fulfilment"),
    });
  });
});
