import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../../harness/app.ts";
import { decisionAt, lastUpdated, page } from "../published.ts";

const posted = "2019-12-31T00:00:00Z";
const justBefore = "2019-12-30T23:59:59Z";
let clock = new Date(justBefore);

describe("zones: the version in force and its date", () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await buildTestApp({ company: "zones", clock: () => clock });
    key = await t.apiKey("admin");
  });
  afterAll(() => t.close());

  it("Z19-08: the 2019 version applies from the moment it is posted, showing its last-updated date", async () => {
    clock = new Date(justBefore);
    const before = await page(t, "/policy");
    expect(before.version).toBe("2016-11-28");
    expect(before.body).toMatch(lastUpdated("2016-11-28"));

    clock = new Date(posted);
    const after = await page(t, "/policy");
    expect(after.version).toBe("2019-12-31");
    expect(after.body).toMatch(lastUpdated("2019-12-31"));

    const use = { action: "read", purpose: "essential.service.order_fulfilment", fields: ["order_id"] };
    expect((await decisionAt(t, key, use, justBefore)).policy.version).toBe("2016-11-28");
    expect((await decisionAt(t, key, use, posted)).policy.version).toBe("2019-12-31");
  });

  it("Z19-01: the policy names Transactional and Other Customer Information, and uses keep to them", async () => {
    clock = new Date("2020-06-01T00:00:00Z");
    const md = await page(t, "/policy?format=md");
    expect(md.body).toMatch(/Transactional Information: we collect [^\n]*orders/);
    expect(md.body).toMatch(/Other Customer Information: we collect [^\n]*survey answers/);

    const at = "2020-06-01T00:00:00Z";
    // Customer Information is both: the customer's own view spans both groups.
    const own = await decisionAt(
      t,
      key,
      { action: "read", purpose: "essential.service.account", fields: ["order_id", "survey_answers"] },
      at,
    );
    expect(own.outcome).toBe("allow");
    expect(own.reasons.map((r) => r.clause)).toContain("Z19-01");
    // Order handling uses Transactional Information, never survey answers.
    const orders = await decisionAt(
      t,
      key,
      {
        action: "read",
        purpose: "essential.service.order_fulfilment",
        fields: ["order_id", "survey_answers"],
      },
      at,
    );
    expect(orders.outcome).toBe("deny");
    expect(orders.reasons[0]?.code).toBe("fields_not_allowed");
  });
});
