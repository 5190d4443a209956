import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordsFixture, type RecordsFixture } from "../../records/helpers.ts";

/** Zones 2019-12-31, in force on 2020-06-01: quote requests and survey answers (Z19-01). */
const FULFIL = "essential.service.order_fulfilment";
const ACCOUNT = "essential.service.account";
let f: RecordsFixture;
beforeAll(async () => {
  f = await recordsFixture("zones", () => new Date("2020-06-01T12:00:00Z"));
});
afterAll(() => f.t.close());

describe("zones 2019 records", () => {
  it("Z19-01: quote requests are kept as Customer Information, with where they were given", async () => {
    const id = await f.subject();
    const res = await f.req("POST", `/v1/subjects/${id}/quote-requests`, {
      body: { details: "50 monitors for an office", purpose: FULFIL, collectionPoint: "web.quote" },
    });
    expect(res.statusCode, res.body).toBe(201);
    const own = (await f.req("GET", `/v1/subjects/${id}/quote-requests?purpose=${ACCOUNT}`)).json();
    expect(own.items[0]).toMatchObject({
      details: "50 monitors for an office",
      provenance: { collectionPoint: "web.quote", policyVersion: "2019-12-31" },
    });
  });

  it("Z19-01: survey answers are looked at only in aggregate", async () => {
    const analyst = await f.t.apiKey("analyst");
    const id = await f.subject();
    await f.req("POST", `/v1/subjects/${id}/surveys/s-2020/answers`, {
      body: { answers: [{ questionId: "q", answer: "a" }], purpose: ACCOUNT, collectionPoint: "web.survey" },
    });
    const one = await f.req("GET", `/v1/subjects/${id}/survey-answers?purpose=analytics.reporting.surveys`, {
      key: analyst,
    });
    expect(one.statusCode).toBe(403);
    expect(one.json().clauses).toContain("Z19-01");
    const agg = (
      await f.req("GET", `/v1/surveys/s-2020/aggregate?purpose=analytics.reporting.surveys`, { key: analyst })
    ).json();
    expect(agg.cells).toEqual([{ questionId: "q", answer: null, count: null, withheld: true }]);
    expect(agg.respondents).toBeNull();
  });
});
