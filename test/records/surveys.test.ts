import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordsFixture, type RecordsFixture } from "./helpers.ts";

const ACCOUNT = "essential.service.account";
const ANALYSIS = "analytics.reporting.surveys";
const FULFIL = "essential.service.order_fulfilment";

describe("survey answers and quote requests (zones 2019)", () => {
  let f: RecordsFixture;
  let analyst: string;
  const ids: string[] = [];
  beforeAll(async () => {
    f = await recordsFixture("zones");
    analyst = await f.t.apiKey("analyst");
    // 11 people answer "yes" to q1 (over the cohort of 10), 3 answer "no" (under it).
    for (let i = 0; i < 14; i += 1) {
      const id = await f.subject();
      ids.push(id);
      const res = await f.req("POST", `/v1/subjects/${id}/surveys/service-2026/answers`, {
        body: {
          answers: [{ questionId: "q1", answer: i < 11 ? "yes" : "no" }],
          purpose: ACCOUNT,
          collectionPoint: "web.survey.service-2026",
        },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
  }, 120_000);
  afterAll(async () => f.t.close());

  it("keeps each answer encrypted with where it was given", async () => {
    const id = ids[0]!;
    const rows = await f.t.store.db
      .selectFrom("survey_answers")
      .selectAll()
      .where("subject_id", "=", id)
      .execute();
    expect(rows[0]!.answer_enc).not.toBe("yes");
    expect(rows[0]!.collection_point).toBe("web.survey.service-2026");
    const own = await f.req("GET", `/v1/subjects/${id}/survey-answers?purpose=${ACCOUNT}`);
    expect(own.json().items[0]).toMatchObject({ surveyId: "service-2026", questionId: "q1", answer: "yes" });
  });

  it("the aggregate counts answers and withholds cells under the minimum cohort, and their complements", async () => {
    const res = await f.req("GET", `/v1/surveys/service-2026/aggregate?purpose=${ANALYSIS}`, {
      key: analyst,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      surveyId: "service-2026",
      minCohort: 10,
      respondents: 14,
      // 3 said "no" (under the cohort); publishing "yes": 11 would tell it as 14 − 11, so both are withheld.
      cells: [
        { questionId: "q1", answer: null, count: null, withheld: true },
        { questionId: "q1", answer: null, count: null, withheld: true },
      ],
    });
    const audit = await f.auditOf(null);
    expect(audit.at(-1)).toMatchObject({ type: "survey.aggregated", payload: { cells: 2, withheld: 2 } });
    expect(audit.at(-2)?.payload).toMatchObject({ outcome: "allow", action: "analyse", purpose: ANALYSIS });
  });

  it("one person's answers are refused for the aggregate-only purpose", async () => {
    const res = await f.req("GET", `/v1/subjects/${ids[0]}/survey-answers?purpose=${ANALYSIS}`, {
      key: analyst,
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("PLEDGE_USE_REFUSED");
  });

  it("stores and reads quote requests with their provenance", async () => {
    const id = ids[1]!;
    const res = await f.req("POST", `/v1/subjects/${id}/quote-requests`, {
      body: { details: "20 racks, 2 years", purpose: FULFIL, collectionPoint: "web.quote" },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().details).toBeUndefined();
    const list = (await f.req("GET", `/v1/subjects/${id}/quote-requests?purpose=${FULFIL}`)).json();
    expect(list.items[0]).toMatchObject({
      details: "20 racks, 2 years",
      provenance: { collectionPoint: "web.quote", purpose: FULFIL },
    });
  });
});
