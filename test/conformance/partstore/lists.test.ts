import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listFixture, parseCsv, type ListFixture } from "../../lists/fixture.ts";

describe("partstore: catalogues and partners' postal lists", () => {
  let f: ListFixture;
  beforeAll(async () => {
    f = await listFixture("partstore");
    await f.contract("catalogue-mailhouse");
    await f.contract("partner-postal-lists");
  });
  afterAll(async () => {
    await f?.t.close();
  });

  it("PS-09: a no-catalogues request stops PartStore's catalogues and removes the person from every partner's postal list", async () => {
    const stays = await f.customer({ last: "Stays" });
    const leaves = await f.customer({ last: "Leaves" });
    await f.consent(leaves, { targetKind: "sharing", target: "catalogues", action: "withdrawn" });

    // The preview of a catalogue campaign counts the person out, naming the clause.
    const draft = await f.req("POST", "/v1/campaigns", {
      name: "autumn catalogue preview",
      purpose: "marketing.communications",
      messageClass: "marketing",
      channel: "catalogue",
      recipient: "catalogue-mailhouse",
      text: "Our autumn catalogue",
    });
    expect(draft.statusCode, draft.body).toBe(201);
    const preview = await f.req("POST", `/v1/campaigns/${(draft.json() as { id: string }).id}/preview`);
    expect(preview.statusCode, preview.body).toBe(200);
    const excluded = (
      preview.json() as { excluded: { code: string; clause: string | null; count: number }[] }
    ).excluded;
    expect(excluded.find((e) => e.code === "channel_opted_out")).toMatchObject({ count: 1, clause: "PS-09" });

    // PartStore's own catalogue: the mail house's list leaves the person out, and nothing is sent to them.
    const id = await f.sending({
      purpose: "marketing.communications",
      channel: "catalogue",
      recipient: "catalogue-mailhouse",
    });
    const list = await f.req("POST", `/v1/campaigns/${id}/list`, { format: "csv" });
    expect(list.statusCode, list.body).toBe(200);
    const rows = parseCsv(list.body);
    expect(rows[0]).toEqual(["messageId", "first_name", "last_name", "postal_address"]);
    const names = rows.slice(1).map((r) => r[2]);
    expect(names).toContain("Stays");
    expect(names).not.toContain("Leaves");
    const outbox = await f.outbox(id);
    expect(outbox.find((m) => m.subject_id === stays)?.state).toBe("sent");
    // The person is not even drawn into the outbox: the audience is the list's audience.
    expect(outbox.find((m) => m.subject_id === leaves)).toBeUndefined();
    const ledger = await f.t.store.db
      .selectFrom("disclosure_subjects")
      .select("subject_id")
      .where("disclosure_id", "=", list.headers["pledge-disclosure-id"] as string)
      .execute();
    expect(ledger.map((r) => r.subject_id)).not.toContain(leaves);

    // Every partner's postal list: the export to partners leaves the person out too.
    const partners = await f.req("POST", "/v1/exports", {
      recipient: "partner-postal-lists",
      purpose: "marketing.communications",
      fields: ["first_name", "last_name", "postal_address"],
      format: "csv",
    });
    expect(partners.statusCode, partners.body).toBe(200);
    const exported = parseCsv(partners.body)
      .slice(1)
      .map((r) => r[1]);
    expect(exported).toContain("Stays");
    expect(exported).not.toContain("Leaves");
  });
});
