import { ACCOUNT } from "../../harness/purposes.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disclosureFixture, type DisclosureFixture } from "../../disclosures/helpers.ts";
import { lastUpdated } from "../published.ts";
import { edit, shippedPack } from "../../policy/publish.fixtures.ts";

describe("zones 2019: versions in use", () => {
  let f: DisclosureFixture;
  beforeAll(async () => {
    f = await disclosureFixture("zones", "2017-06-01T12:00:00Z");
    await f.contract("marketing-partners");
  });
  afterAll(async () => {
    await f?.t.close();
  });

  const partners = { recipient: "marketing-partners", purpose: "third_party_sharing.marketing" };
  const ownPostal = {
    action: "send",
    purpose: "marketing.communications.postal",
    channel: "postal",
    messageClass: "marketing",
    fields: ["postal_address"],
  };
  const decide = async (subjectId: string, use: object, facts?: object) => {
    const res = await f.req("POST", "/v1/decisions", { use, subjectId, ...(facts ? { facts } : {}) });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { decision: { outcome: string; policy: { version: string } } }).decision;
  };
  const exportPartners = async () => {
    const res = await f.req("POST", "/v1/exports", {
      ...partners,
      fields: ["first_name", "postal_address"],
      format: "csv",
    });
    expect(res.statusCode, res.body).toBe(200);
    return f.ledgerSubjects(res.headers["pledge-disclosure-id"] as string);
  };
  const counts = async () => {
    const db = f.t.store.db;
    const n = async (table: "consent_events" | "subject_opt_outs" | "disclosures" | "disclosure_subjects") =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.cast<number>(eb.fn.countAll(), "integer").as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      consentEvents: await n("consent_events"),
      optOuts: await n("subject_opt_outs"),
      disclosures: await n("disclosures"),
      disclosed: await n("disclosure_subjects"),
    };
  };

  it("Z19-11: moving from 2016 to 2019 keeps every consent, opt-out and disclosure record, and they still apply", async () => {
    f.at("2017-06-01T12:00:00Z");
    const sharer = await f.subject();
    const stoppedSharing = await f.subject();
    const stoppedPostal = await f.subject();
    await f.consent(stoppedSharing, "sharing", "partner_sharing", "withdrawn");
    const stop = await f.req("POST", `/v1/subjects/${stoppedPostal}/channels/postal/stop`, {
      purpose: ACCOUNT.zones,
      source: "web",
    });
    expect(stop.statusCode, stop.body).toBe(200);
    const in2017 = await exportPartners();
    expect(in2017).toEqual(expect.arrayContaining([sharer, stoppedPostal]));
    expect(in2017).not.toContain(stoppedSharing);
    const before = await counts();
    const ledger2017 = await f.ledger();
    expect(ledger2017).toHaveLength(1);

    // The 2019 version takes effect.
    f.at("2020-01-02T09:00:00Z");
    const policy = await f.req("GET", "/policy");
    expect(policy.headers["x-policy-version"]).toBe("2019-12-31");

    // Every record made under 2016 is still there, unchanged.
    expect(await counts()).toEqual(before);
    expect(await f.ledger()).toEqual(ledger2017);
    const history = await f.req("GET", `/v1/subjects/${stoppedSharing}/consents?purpose=${ACCOUNT.zones}`);
    expect(history.statusCode, history.body).toBe(200);
    expect(history.body).toContain("partner_sharing");
    const disclosed = await f.req("GET", `/v1/subjects/${sharer}/disclosures?purpose=${ACCOUNT.zones}`);
    expect(disclosed.statusCode, disclosed.body).toBe(200);
    expect(disclosed.body).toContain("marketing-partners");

    // And they still apply under 2019: the partner-sharing opt-out keeps the person out of a 2019
    // partner export and decision; the postal stop still stops own postal marketing.
    const sharing = await decide(
      stoppedSharing,
      { action: "export", ...partners, fields: ["first_name"] },
      {
        recipientContractOnFile: true,
      },
    );
    expect(sharing).toMatchObject({ outcome: "deny", policy: { version: "2019-12-31" } });
    const postal = await decide(stoppedPostal, ownPostal);
    expect(postal).toMatchObject({ outcome: "deny", policy: { version: "2019-12-31" } });
    const in2020 = await exportPartners();
    expect(in2020).toEqual(expect.arrayContaining([sharer, stoppedPostal]));
    expect(in2020).not.toContain(stoppedSharing);
    const rows = await f.ledger();
    expect(rows).toHaveLength(2);
  });

  it("Z19-08: a version posted with an effective date already past applies from the moment it is posted, with its last-updated date", async () => {
    f.at("2020-06-15T10:00:00Z");
    const text = edit(
      shippedPack("zones", "2019-12-31"),
      ['version: "2019-12-31"', 'version: "2020-06-01"'],
      ['effective_from: "2019-12-31T00:00:00Z"', 'effective_from: "2020-06-01T00:00:00Z"'],
      ['last_updated: "2019-12-31"', 'last_updated: "2020-06-01"'],
    );
    const res = await f.t.app.inject({
      method: "POST",
      url: "/v1/policy/versions",
      headers: { authorization: `Bearer ${f.admin}`, "content-type": "application/yaml" },
      payload: text,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ effectiveFrom: "2020-06-15T10:00:00.000Z", inForce: true });

    const page = await f.t.app.inject({ method: "GET", url: "/policy" });
    expect(page.headers["x-policy-version"]).toBe("2020-06-01");
    expect(page.body).toMatch(lastUpdated("2020-06-01"));
    const list = (await f.t.app.inject({ method: "GET", url: "/policy/versions" })).json() as {
      versions: { version: string; lastUpdated: string; inForce: boolean; effectiveFrom: string }[];
    };
    expect(list.versions.at(-1)).toEqual(
      expect.objectContaining({
        version: "2020-06-01",
        lastUpdated: "2020-06-01",
        inForce: true,
        effectiveFrom: "2020-06-15T10:00:00.000Z",
      }),
    );
    // A use dated a moment before it was posted still follows the version then in force.
    const use = { action: "read", purpose: "essential.service.order_fulfilment", fields: ["order_id"] };
    const id = await f.subject();
    expect((await decide(id, { ...use, at: "2020-06-15T09:59:59.999Z" })).policy.version).toBe("2019-12-31");
    expect((await decide(id, use)).policy.version).toBe("2020-06-01");
  });
});
