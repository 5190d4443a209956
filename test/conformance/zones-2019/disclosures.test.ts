import { ACCOUNT } from "../../harness/purposes.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, as, signIn, signedFrom, signedUp } from "../../customers/helpers.ts";
import { disclosureFixture, type DisclosureFixture } from "../../disclosures/helpers.ts";

describe("zones 2019: partner sharing, subcontractors, Shine the Light, the ledger", () => {
  let f: DisclosureFixture;
  beforeAll(async () => {
    f = await disclosureFixture("zones", "2020-06-01T12:00:00Z");
    await f.contract("marketing-partners", "Reputable Marketers LLC", "9 Pier, Oakland, CA 94607, US");
    await f.contract("subcontractors");
  });
  afterAll(async () => {
    await f?.t.close();
  });

  const partners = {
    recipient: "marketing-partners",
    purpose: "third_party_sharing.marketing",
    format: "csv",
  };

  it("Z19-03: partners get names and postal addresses of people who did not stop sharing, never email", async () => {
    const kept = await f.subject();
    const stopped = await f.subject();
    await f.consent(stopped, "sharing", "partner_sharing", "withdrawn");
    const email = await f.req("POST", "/v1/exports", { ...partners, fields: ["last_name", "email"] });
    expect(email.statusCode).toBe(403);
    expect((email.json() as { clauses: string[] }).clauses).toContain("Z19-03");
    const res = await f.req("POST", "/v1/exports", { ...partners, fields: ["last_name", "postal_address"] });
    expect(res.statusCode).toBe(200);
    const people = await f.ledgerSubjects(res.headers["pledge-disclosure-id"] as string);
    expect(people).toContain(kept);
    expect(people).not.toContain(stopped);
  });

  it("Z19-04: subcontractors get one customer's data for the contracted purpose, never a list", async () => {
    const id = await f.subject();
    const list = await f.req("POST", "/v1/exports", {
      recipient: "subcontractors",
      purpose: "essential.service.order_fulfilment",
      fields: ["last_name"],
      format: "csv",
    });
    expect(list.statusCode).toBe(403);
    expect((list.json() as { clauses: string[] }).clauses).toContain("Z19-04");
    const one = await f.req("POST", `/v1/subjects/${id}/disclosures`, {
      recipient: "subcontractors",
      purpose: "essential.service.order_fulfilment",
      fields: ["last_name", "postal_address"],
    });
    expect(one.statusCode).toBe(201);
    expect(await f.ledgerSubjects((one.json() as { disclosureId: string }).disclosureId)).toEqual([id]);
  });

  it("Z19-10: Shine the Light lists categories and recipients (name, address) per calendar year, counted in the pack's time zone", async () => {
    const id = await f.subject();
    // 23:59:59.999 on 31 December in Los Angeles (the pack's time_zone) is 2020; in UTC it is
    // already 2021. One millisecond later it is 2021 in Los Angeles too.
    f.at("2021-01-01T07:59:59.999Z");
    expect((await f.req("POST", "/v1/exports", { ...partners, fields: ["last_name"] })).statusCode).toBe(200);
    f.at("2021-01-01T08:00:00.000Z");
    expect((await f.req("POST", "/v1/exports", { ...partners, fields: ["postal_address"] })).statusCode).toBe(
      200,
    );
    // A processor share is not a disclosure to a third party for its direct marketing.
    expect(
      (
        await f.req("POST", `/v1/subjects/${id}/disclosures`, {
          recipient: "subcontractors",
          purpose: "essential.service.order_fulfilment",
          fields: ["phone"],
        })
      ).statusCode,
    ).toBe(201);
    f.at("2021-03-01T00:00:00Z");
    const y2020 = await f.req(
      "GET",
      `/v1/reports/shine-the-light?subjectId=${id}&year=2020&purpose=${ACCOUNT.zones}`,
    );
    expect(y2020.statusCode).toBe(200);
    expect(y2020.json()).toMatchObject({
      year: 2020,
      categories: ["user.name"],
      recipients: [
        {
          id: "marketing-partners",
          name: "Reputable Marketers LLC",
          address: "9 Pier, Oakland, CA 94607, US",
          categories: ["user.name"],
          disclosures: 1,
        },
      ],
    });
    const y2021 = await f.req(
      "GET",
      `/v1/reports/shine-the-light?subjectId=${id}&year=2021&purpose=${ACCOUNT.zones}`,
    );
    expect(y2021.json()).toMatchObject({
      categories: ["user.contact.address.postal"],
      recipients: [{ id: "marketing-partners", disclosures: 1 }],
    });
    const y2019 = await f.req(
      "GET",
      `/v1/reports/shine-the-light?subjectId=${id}&year=2019&purpose=${ACCOUNT.zones}`,
    );
    expect(y2019.json()).toMatchObject({ categories: [], recipients: [] });
  });

  it("ALL-03: every disclosure is in the ledger: recipient, fields, subjects, purpose, time", async () => {
    f.at("2021-04-01T10:00:00Z");
    const id = await f.subject();
    const res = await f.req("POST", "/v1/exports", { ...partners, fields: ["first_name", "zip"] });
    const d = res.headers["pledge-disclosure-id"] as string;
    const row = await f.t.store.db
      .selectFrom("disclosures")
      .selectAll()
      .where("disclosure_id", "=", d)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      recipient_id: "marketing-partners",
      purpose: "third_party_sharing.marketing",
      fields: ["first_name", "zip"],
      categories: ["user.name", "user.contact.address.postal"],
    });
    expect(new Date(row.at).toISOString()).toBe("2021-04-01T10:00:00.000Z");
    expect(await f.ledgerSubjects(d)).toContain(id);
    expect(row.subject_count).toBe((await f.ledgerSubjects(d)).length);
  });

  it("Z19-10: the signed-in person reads their own Shine the Light report from their account", async () => {
    f.at("2021-12-30T20:00:00Z");
    const c = await signedUp(f.t.app);
    const res = await f.req("POST", "/v1/exports", { ...partners, fields: ["last_name"] });
    expect(res.statusCode).toBe(200);
    expect(await f.ledgerSubjects(res.headers["pledge-disclosure-id"] as string)).toContain(c.subjectId);
    f.at("2022-01-02T12:00:00Z");
    // Signed in again: the first session has expired by then.
    const again = signedFrom(await signIn(f.t.app, c.email, PASSWORD));
    const mine = await f.t.app.inject({
      method: "GET",
      url: "/v1/account/me/shine-the-light?year=2021",
      headers: as(again),
    });
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json()).toMatchObject({
      subjectId: c.subjectId,
      year: 2021,
      categories: ["user.name"],
      recipients: [
        {
          id: "marketing-partners",
          name: "Reputable Marketers LLC",
          address: "9 Pier, Oakland, CA 94607, US",
        },
      ],
    });
    const before = await f.t.app.inject({
      method: "GET",
      url: "/v1/account/me/shine-the-light?year=2020",
      headers: as(again),
    });
    expect(before.json()).toMatchObject({ categories: [], recipients: [] });
  });
});
