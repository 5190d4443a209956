import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listFixture, parseCsv, type ListFixture } from "./fixture.ts";

/**
 * Lists for a mail house (partstore's catalogue mail house): only the fields the channel needs,
 * only the outbox's queued people the gate still allows, the ledger written first, the outbox
 * and the campaign settled, and every refusal writing nothing but its audit row.
 */
describe("campaign lists (partstore)", () => {
  let f: ListFixture;
  beforeAll(async () => {
    f = await listFixture("partstore");
    await f.contract("catalogue-mailhouse");
  });
  afterAll(async () => {
    await f?.t.close();
  });

  const catalogue = {
    purpose: "marketing.communications",
    channel: "catalogue",
    recipient: "catalogue-mailhouse",
  } as const;

  it("a catalogue list carries message id, name and postal address only; the ledger, outbox and campaign agree", async () => {
    const listed = await f.customer({ email: "listed@example.com", last: "Listed" });
    const noAddress = await f.customer({ postal: false });
    const id = await f.sending(catalogue);
    const res = await f.req("POST", `/v1/campaigns/${id}/list`, { format: "csv" });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/csv/);
    const rows = parseCsv(res.body);
    expect(rows[0]).toEqual(["messageId", "first_name", "last_name", "postal_address"]);
    expect(res.body).not.toContain("@");
    expect(res.body).not.toMatch(/\+1202/);
    const outbox = await f.outbox(id);
    const mine = outbox.find((m) => m.subject_id === listed);
    const row = rows.find((r) => r[0] === mine?.message_id);
    expect(row?.[2]).toBe("Listed");
    expect(row?.[3]).toContain("Main Street");
    expect(row?.[3]).toContain("62701");
    expect(mine?.state).toBe("sent");
    expect(outbox.find((m) => m.subject_id === noAddress)).toMatchObject({
      state: "skipped",
      last_error: "no_address",
    });
    expect(rows.length - 1).toBe(Number(res.headers["pledge-disclosure-count"]));
    expect(outbox.filter((m) => m.state === "sent")).toHaveLength(rows.length - 1);
    expect(outbox.filter((m) => m.state === "queued")).toHaveLength(0);

    const disclosureId = res.headers["pledge-disclosure-id"] as string;
    const ledger = await f.t.store.db
      .selectFrom("disclosures")
      .selectAll()
      .where("disclosure_id", "=", disclosureId)
      .executeTakeFirstOrThrow();
    expect(ledger).toMatchObject({
      recipient_id: "catalogue-mailhouse",
      recipient_kind: "processor",
      kind: "list",
      purpose: "marketing.communications",
      fields: ["first_name", "last_name", "postal_address"],
      subject_count: rows.length - 1,
    });
    const people = await f.t.store.db
      .selectFrom("disclosure_subjects")
      .select("subject_id")
      .where("disclosure_id", "=", disclosureId)
      .execute();
    expect(people.map((p) => p.subject_id)).toContain(listed);
    expect(people.map((p) => p.subject_id)).not.toContain(noAddress);
    expect((await f.campaign(id)).status).toBe("sent");
    const audit = await f.t.store.db
      .selectFrom("audit_log")
      .select(["type", "payload"])
      .where("type", "=", "campaign.list_delivered")
      .execute();
    expect(audit.some((a) => (a.payload as { campaignId?: string }).campaignId === id)).toBe(true);

    const again = await f.req("POST", `/v1/campaigns/${id}/list`, { format: "csv" });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("PLEDGE_LIST_UNAVAILABLE");
  });

  it("NDJSON: one object per person with the same keys", async () => {
    await f.customer();
    const id = await f.sending(catalogue);
    const res = await f.req("POST", `/v1/campaigns/${id}/list`, { format: "ndjson" });
    expect(res.statusCode, res.body).toBe(200);
    const lines = res.body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines)
      expect(Object.keys(l)).toEqual(["messageId", "first_name", "last_name", "postal_address"]);
  });

  it("someone who stopped catalogues after the outbox was drawn is skipped as gate_refused, not listed", async () => {
    const later = await f.customer();
    const id = await f.sending(catalogue);
    await f.consent(later, { targetKind: "sharing", target: "catalogues", action: "withdrawn" });
    const res = await f.req("POST", `/v1/campaigns/${id}/list`, { format: "csv" });
    expect(res.statusCode, res.body).toBe(200);
    const outbox = await f.outbox(id);
    const theirs = outbox.find((m) => m.subject_id === later);
    expect(theirs).toMatchObject({ state: "skipped", last_error: "gate_refused" });
    expect(res.body).not.toContain(theirs?.message_id as string);
    expect(Number(res.headers["pledge-skipped"])).toBeGreaterThanOrEqual(1);
  });

  it("without the mail house's contract on file the list is refused, naming the clause, and nothing is written", async () => {
    await f.customer();
    const id = await f.sending(catalogue);
    await f.t.store.db
      .deleteFrom("recipient_registry")
      .where("recipient_id", "=", "catalogue-mailhouse")
      .execute();
    const before = await f.t.store.db.selectFrom("disclosures").select("disclosure_id").execute();
    const res = await f.req("POST", `/v1/campaigns/${id}/list`, { format: "csv" });
    await f.contract("catalogue-mailhouse");
    expect(res.statusCode, res.body).toBe(403);
    expect(res.json()).toMatchObject({ code: "PLEDGE_USE_REFUSED", clauses: ["PS-09"] });
    expect(await f.t.store.db.selectFrom("disclosures").select("disclosure_id").execute()).toHaveLength(
      before.length,
    );
    expect((await f.campaign(id)).status).toBe("sending");
    expect((await f.outbox(id)).every((m) => m.state === "queued")).toBe(true);
  });

  it("an email campaign has no list; an unknown campaign is not found", async () => {
    await f.customer();
    const email = await f.draft({ purpose: "marketing.communications", channel: "email" });
    const res = await f.req("POST", `/v1/campaigns/${email}/list`, { format: "csv" });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe("PLEDGE_LIST_UNAVAILABLE");
    const missing = await f.req("POST", `/v1/campaigns/${crypto.randomUUID()}/list`, { format: "csv" });
    expect(missing.statusCode).toBe(404);
  });
});
