import { afterAll, beforeAll, describe, it } from "vitest";
import { subjectsFixture, type SubjectsFixture } from "../../subjects/helpers.ts";
import { anOrder, exportCorrectErase } from "../../customers/all04.ts";

/** Zones 2019-12-31 (the real clock: the version in force today): the customer record through /v1/subjects. */
let f: SubjectsFixture;
beforeAll(async () => {
  f = await subjectsFixture("zones");
});
afterAll(() => f.t.close());

describe("zones 2019 subjects", () => {
  it("ALL-04: a person's data is exported, corrected and erased; the orders the law keeps stay and the erasure says so; the export shows who it was given to", async () => {
    await exportCorrectErase(f, {
      purpose: "essential.service.account",
      email: "all04-zones@example.com",
      kept: anOrder("essential.service.order_fulfilment"),
      share: {
        recipient: "subcontractors",
        purpose: "essential.service.order_fulfilment",
        fields: ["last_name"],
      },
    });
  });
});
