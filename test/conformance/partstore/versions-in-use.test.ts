import { ACCOUNT } from "../../harness/purposes.ts";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyBook } from "../../../src/policy/book.ts";
import type { CampaignsDeps } from "../../../src/modules/campaigns/campaigns.service.ts";
import { loadPolicyHistory } from "../../../src/policy/history.ts";
import { campaignAnnouncer } from "../../../src/modules/policy-versions/versions.announce.ts";
import { publishPolicy } from "../../../src/modules/policy-versions/versions.service.ts";
import { PublishedSync } from "../../../src/modules/policy-versions/versions.sync.ts";
import { campaignFixture, type CampaignFixture, type CampaignJson } from "../../campaigns/helpers.ts";
import { fixture, type Fixture } from "../../consent/fixture.ts";
import { POLICIES_DIR } from "../../harness/app.ts";
import { marketingUsesAccount, partstoreVersion, wordingOnly } from "../../policy/publish.fixtures.ts";
import { ephemeralVault } from "../../../src/modules/subjects/ephemeral-vault.ts";
import { staffActing } from "../../../src/use/acting.ts";

let now = new Date("2025-01-10T12:00:00Z");
const clock = () => now;

describe("partstore: policy versions in use", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture("partstore", clock);
  });
  afterAll(async () => {
    await f?.t.close();
  });

  const publish = (yaml: string) =>
    f.t.app.inject({
      method: "POST",
      url: "/v1/policy/versions",
      headers: { authorization: `Bearer ${f.admin}`, "content-type": "application/yaml" },
      payload: yaml,
    });

  it("PS-10: a decision or a read made before a published version takes effect follows the old version; after, the new", async () => {
    const id = await f.subject({ email: "ps10@example.com" });
    const res = await publish(marketingUsesAccount(partstoreVersion("2025-02-01", "2025-02-01T00:00:00Z")));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ version: "2025-02-01", inForce: false, material: true });
    // No SMTP relay in this app: the announcement is made, as a draft, and nothing is queued.
    expect(res.json()).toMatchObject({ announcement: { campaignId: expect.any(String), queued: 0 } });

    const accountForMarketing = {
      action: "read",
      purpose: "marketing.communications",
      fields: ["customer_number"],
    };
    const read = () =>
      f.req("GET", `/v1/subjects/${id}?purpose=marketing.communications&fields=first_name,customer_number`);

    // Before: the 2009 version is in force; marketing may not use the customer account.
    now = new Date("2025-01-31T23:59:59Z");
    const before = await f.decide(id, accountForMarketing);
    expect(before).toMatchObject({ outcome: "deny", policy: { version: "2009-09-27" } });
    expect(before.reasons[0]?.code).toBe("fields_not_allowed");
    const readBefore = await read();
    expect(readBefore.statusCode).toBe(403);
    expect(readBefore.json()).toMatchObject({ code: "PLEDGE_USE_REFUSED" });

    // After: the published version is in force; the same uses follow it.
    now = new Date("2025-02-01T00:00:00Z");
    const after = await f.decide(id, accountForMarketing);
    expect(after).toMatchObject({ outcome: "allow", policy: { version: "2025-02-01" } });
    const readAfter = await read();
    expect(readAfter.statusCode, readAfter.body).toBe(200);
    expect(readAfter.json()).toMatchObject({
      fields: { customer_number: { value: expect.any(String) } },
      decision: { outcome: "allow", policy: { version: "2025-02-01" } },
    });

    // A use dated before the change is still judged by the version then in force.
    const dated = await f.decide(id, { ...accountForMarketing, at: "2025-01-15T00:00:00Z" });
    expect(dated).toMatchObject({ outcome: "deny", policy: { version: "2009-09-27" } });
  });

  it("PS-10: a material change is announced to every contactable customer, opted-out and suppressed ones too; a wording change sends nothing", async () => {
    now = new Date("2025-03-01T12:00:00Z");
    const plain = await f.subject({ email: "plain@example.com" });
    const optedOut = await f.subject({ email: "opted-out@example.com" });
    const suppressed = await f.subject({ email: "suppressed@example.com" });
    const stop = await f.req("POST", `/v1/subjects/${optedOut}/channels/email/stop`, {
      purpose: ACCOUNT.partstore,
      source: "web",
    });
    expect(stop.statusCode, stop.body).toBe(200);
    const dns = await f.req("POST", "/v1/suppression", {
      channel: "email",
      address: "suppressed@example.com",
      reason: "unsubscribe",
      source: "email-link",
    });
    expect(dns.statusCode, dns.body).toBe(201);
    const marketing = await f.decide(optedOut, {
      action: "send",
      purpose: "marketing.communications",
      channel: "email",
      messageClass: "marketing",
      fields: ["email"],
    });
    expect(marketing.outcome).toBe("deny");

    // Publishing with the campaign service: the announcement is a policy_change campaign whose
    // outbox holds the people it goes to.
    const book = new PolicyBook(await loadPolicyHistory(path.join(POLICIES_DIR, "partstore")));
    const sync = new PublishedSync(f.t.store.db, book);
    await sync.sync();
    const enqueued: string[] = [];
    const campaigns: CampaignsDeps = {
      db: f.t.store.db,
      policies: book,
      vault: ephemeralVault(),
      clock,
      region: "us",
      enqueue: async (_campaign, refs) => {
        enqueued.push(...refs.map((r) => r.messageId));
      },
    };
    const staff = await f.t.staff("admin");
    const caller = staffActing({ staffId: staff.staffId, role: "admin", attested: true });
    const deps = {
      db: f.t.store.db,
      sync,
      clock,
      region: "us",
      announce: campaignAnnouncer(campaigns, caller),
    };

    const campaignCount = async () =>
      (await f.t.store.db.selectFrom("campaigns").select("campaign_id").execute()).length;
    const campaignsBefore = await campaignCount();
    const wording = await publishPolicy(deps, {
      yaml: wordingOnly(partstoreVersion("2025-03-05", "2025-03-05T00:00:00Z")),
      actor: `staff:${staff.staffId}`,
    });
    expect(wording).toMatchObject({ material: false, announcement: { campaignId: null, queued: 0 } });
    expect(await campaignCount()).toBe(campaignsBefore);

    const material = await publishPolicy(deps, {
      yaml: wordingOnly(marketingUsesAccount(partstoreVersion("2025-04-01", "2025-04-01T00:00:00Z"))),
      actor: `staff:${staff.staffId}`,
    });
    expect(material.material).toBe(true);
    const campaignId = material.announcement.campaignId;
    expect(campaignId).not.toBeNull();
    const campaign = await f.t.store.db
      .selectFrom("campaigns")
      .selectAll()
      .where("campaign_id", "=", campaignId!)
      .executeTakeFirstOrThrow();
    expect(campaign).toMatchObject({ message_class: "policy_change", channel: "email", status: "sending" });
    const outbox = await f.t.store.db
      .selectFrom("campaign_messages")
      .select(["subject_id", "message_id"])
      .where("campaign_id", "=", campaignId!)
      .execute();
    const reached = outbox.map((m) => m.subject_id);
    expect(reached).toEqual(expect.arrayContaining([plain, optedOut, suppressed]));
    expect(material.announcement.queued).toBe(outbox.length);
    expect(enqueued.sort()).toEqual(outbox.map((m) => m.message_id).sort());
    const row = await f.t.store.db
      .selectFrom("policy_versions")
      .select(["material", "announcement_id"])
      .where("version", "=", "2025-04-01")
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ material: true, announcement_id: campaignId });
  });
});

describe("partstore: a material change announced over real SMTP", () => {
  let c: CampaignFixture;
  beforeAll(async () => {
    c = await campaignFixture("partstore");
  });
  afterAll(async () => {
    await c?.close();
  });

  it("PS-10: publishing a material change through the API emails every contactable customer, opted-out and suppressed ones too", async () => {
    const people = ["keen@example.com", "opted-out@example.com", "suppressed@example.com"];
    const ids = await Promise.all(people.map((email) => c.person(email)));
    const stop = await c.req("POST", `/v1/subjects/${ids[1]}/channels/email/stop`, {
      purpose: ACCOUNT.partstore,
      source: "web",
    });
    expect(stop.statusCode, stop.body).toBe(200);
    const dns = await c.req("POST", "/v1/suppression", {
      channel: "email",
      address: people[2],
      reason: "unsubscribe",
      source: "email-link",
    });
    expect(dns.statusCode, dns.body).toBe(201);

    const res = await c.t.app.inject({
      method: "POST",
      url: "/v1/policy/versions",
      headers: { authorization: `Bearer ${c.admin}`, "content-type": "application/yaml" },
      payload: marketingUsesAccount(partstoreVersion("2099-01-01", "2099-01-01T00:00:00Z")),
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json() as { material: boolean; announcement: { campaignId: string; queued: number } };
    expect(body.material).toBe(true);
    expect(body.announcement.queued).toBe(3);

    const view: CampaignJson = await c.finished(body.announcement.campaignId);
    expect(view.messages.sent).toBe(3);
    const received = c.sink.messages.flatMap((m) => m.envelope.to);
    expect(received.sort()).toEqual([...people].sort());
    expect(c.sink.messages[0]?.raw).toContain("2099-01-01");
  });
});
