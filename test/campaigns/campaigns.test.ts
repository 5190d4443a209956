import { messageIdKey, refOfLocalPart } from "../../src/modules/campaigns/message-id.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "../harness/wait.ts";
import { campaignFixture, header, recipients, type CampaignFixture, type CampaignJson } from "./helpers.ts";

/** The campaign API through app.inject, sending to a real SMTP server (partstore). */
let f: CampaignFixture;
const people: Record<string, string> = {};
/** While true the SMTP server answers every message with 451 (try again later). */
let holding = false;

beforeAll(async () => {
  f = await campaignFixture("partstore", { refuse: () => (holding ? 451 : null) });
  for (const name of ["ann", "bob", "cat", "dan", "eve", "fay"])
    people[name] = await f.person(`${name}@example.com`);
  people.old = await f.person("old@example.com", { status: "former" });
  // bob opted out of marketing email; cat's address is on the Do Not Send list.
  await f.consent(people.bob!, "purpose", "marketing.communications", "withdrawn", "email");
  const listed = await f.req("POST", "/v1/suppression", {
    channel: "email",
    address: "cat@example.com",
    reason: "unsubscribe",
    source: "staff",
  });
  expect(listed.statusCode).toBe(201);
});
afterAll(() => f?.close());

const marketing = {
  purpose: "marketing.communications",
  messageClass: "marketing",
  channel: "email",
  subjectLine: "Spring offers",
  text: "Offers inside",
};

/** The outbox state of one person's message in a campaign. */
async function stateOf(campaignId: string, subjectId: string): Promise<string | undefined> {
  const row = await f.t.store.db
    .selectFrom("campaign_messages")
    .select("state")
    .where("campaign_id", "=", campaignId)
    .where("subject_id", "=", subjectId)
    .executeTakeFirst();
  return row?.state;
}

describe("campaigns", () => {
  it("refuses malformed campaigns with 400 and writes nothing", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...marketing, topic: "no-such-topic" }, "PLEDGE_UNKNOWN_TOPIC"],
      [{ ...marketing, messageClass: "feedback" }, "PLEDGE_CAMPAIGN_INVALID"], // not a partstore class
      [{ ...marketing, channel: "phone" }, "PLEDGE_CAMPAIGN_INVALID"], // purpose does not send by phone
      [{ ...marketing, messageClass: "service" }, "PLEDGE_CAMPAIGN_INVALID"], // purpose sends marketing only
      [{ ...marketing, channel: "fax" }, "PLEDGE_VALIDATION_FAILED"],
    ];
    for (const [body, code] of cases) {
      const res = await f.req("POST", "/v1/campaigns", { name: "bad", ...body });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().code).toBe(code);
    }
    const rows = await f.t.store.db.selectFrom("campaigns").select("campaign_id").execute();
    expect(rows).toHaveLength(0);
  });

  it("PS-08: a campaign for a purpose not in the policy is refused (403, naming the clause)", async () => {
    const res = await f.req("POST", "/v1/campaigns", {
      name: "x",
      ...marketing,
      purpose: "marketing.telepathy",
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("PLEDGE_USE_REFUSED");
    expect(res.json().clauses).toContain("PS-08");
  });

  it("a staff role whose purposes do not include the campaign's is refused", async () => {
    const analyst = await f.t.apiKey("analyst", { attested: true });
    const res = await f.req("POST", "/v1/campaigns", { name: "x", ...marketing }, analyst);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("PLEDGE_USE_REFUSED");
    const marketer = await f.t.apiKey("marketing", { attested: true });
    const made = await f.req("POST", "/v1/campaigns", { name: "x", ...marketing }, marketer);
    expect(made.statusCode).toBe(201);
    // The analyst cannot see it either: the same 404 as no campaign.
    const seen = await f.req("GET", `/v1/campaigns/${made.json().id}`, undefined, analyst);
    expect(seen.statusCode).toBe(404);
  });

  it("previews the audience with the excluded people by reason and clause", async () => {
    const id = await f.campaign(marketing);
    const res = await f.req("POST", `/v1/campaigns/${id}/preview`);
    expect(res.statusCode).toBe(200);
    const preview = res.json() as {
      audience: number;
      excluded: { code: string; clause: string; count: number }[];
    };
    // ann, dan, eve, fay, and old (PS-07: former customers are contactable unless suppressed).
    expect(preview.audience).toBe(5);
    const count = (code: string) =>
      preview.excluded.filter((e) => e.code === code).reduce((n, e) => n + e.count, 0);
    expect(count("suppressed")).toBe(1);
    expect(count("opted_out")).toBe(1);
    expect(preview.excluded.find((e) => e.code === "suppressed")?.clause).toMatch(/^PS-0[56]$/);
  });

  it("sends each person one message, skips someone who opted out after the draw, and finishes", async () => {
    const id = await f.campaign({ ...marketing, name: "spring" });
    const before = f.sink.messages.length;
    // The relay holds every message back (451) while eve opts out after the audience was drawn:
    // her message is still in the outbox, and the gate asked again at send time skips it.
    holding = true;
    const sent = await f.req("POST", `/v1/campaigns/${id}/send`);
    expect(sent.statusCode).toBe(202);
    expect((sent.json() as CampaignJson).audienceSize).toBe(5);
    await f.consent(people.eve!, "purpose", "marketing.communications", "withdrawn", "email");
    // A worker may have claimed eve's message and asked the gate before the opt-out committed; the
    // relay goes on refusing until a later attempt, which asks the gate again, has skipped it.
    await until("eve's message skipped", async () => (await stateOf(id, people.eve!)) === "skipped");
    holding = false;
    const view = await f.finished(id);
    expect(view.status).toBe("sent");
    const got = f.sink.messages.slice(before);
    const to = got.flatMap((m) => m.envelope.to);
    expect(new Set(to).size).toBe(to.length);
    expect(to).not.toContain("bob@example.com");
    expect(to).not.toContain("cat@example.com");
    expect(to).toContain("old@example.com");
    expect(view.messages.sent).toBe(got.length);
    expect(to).not.toContain("eve@example.com");
    expect(view.messages.skipped).toBe(1);
    expect(view.messages.sent).toBe(4);
    // Every marketing email carries the one-click unsubscribe headers.
    for (const m of got) {
      expect(header(m.raw, "List-Unsubscribe")).toMatch(/^<https?:\/\/[^>]+\/u\/[^>]+>, <mailto:[^>]+>$/);
      expect(header(m.raw, "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
      expect(m.raw).not.toContain(people.ann!);
    }
    // The outbox row of each message names the Message-ID that arrived: the message's id and its
    // person's, masked (no subject id is in the message), so a report quoting it is found on the
    // person's shard.
    const rows = await f.t.store.db
      .selectFrom("campaign_messages")
      .select(["header_message_id", "message_id", "subject_id"])
      .where("campaign_id", "=", id)
      .where("state", "=", "sent")
      .execute();
    expect(rows.map((r) => r.header_message_id).sort()).toEqual(got.map((m) => m.messageId).sort());
    const key = await messageIdKey(f.t.store.db);
    for (const r of rows) {
      expect(r.header_message_id).toMatch(new RegExp(`^${r.message_id}\\.[A-Za-z0-9_-]{22}@pledge\\.test$`));
      const local = r.header_message_id!.slice(0, r.header_message_id!.indexOf("@"));
      expect(refOfLocalPart(key, local)).toEqual({ messageId: r.message_id, subjectId: r.subject_id });
    }
    // A second send is refused: the campaign is no longer a draft.
    const again = await f.req("POST", `/v1/campaigns/${id}/send`);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("PLEDGE_CAMPAIGN_TRANSITION_INVALID");
    const audit = await f.t.store.db
      .selectFrom("audit_log")
      .select("type")
      .where("type", "like", "campaign.%")
      .execute();
    const types = audit.map((a) => a.type);
    expect(types).toContain("campaign.send_started");
    expect(types).toContain("campaign.message_sent");
    expect(types).toContain("campaign.finished");
  });

  it("PS-06: an essential message reaches the Do Not Send list and opted-out people", async () => {
    const id = await f.campaign({
      name: "security notice",
      purpose: "essential.service.delivery",
      messageClass: "security",
      channel: "email",
      subjectLine: "Security notice",
      text: "Please change your password",
    });
    const before = f.sink.messages.length;
    expect((await f.req("POST", `/v1/campaigns/${id}/send`)).statusCode).toBe(202);
    const view = await f.finished(id);
    const to = recipients(f.sink).slice(before);
    expect(to).toContain("cat@example.com");
    expect(to).toContain("bob@example.com");
    expect(view.messages.sent).toBe(7);
    // Essential messages carry no unsubscribe link.
    for (const m of f.sink.messages.slice(before)) expect(header(m.raw, "List-Unsubscribe")).toBeNull();
  });

  it("lists campaigns with cursor pagination, and cancels a draft", async () => {
    const first = await f.req("GET", "/v1/campaigns?limit=2");
    expect(first.statusCode).toBe(200);
    const page = first.json() as { items: { id: string }[]; nextCursor: string | null };
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).not.toBeNull();
    const next = await f.req("GET", `/v1/campaigns?limit=2&cursor=${page.nextCursor}`);
    const ids = (next.json() as { items: { id: string }[] }).items.map((c) => c.id);
    expect(ids.some((i) => page.items.some((p) => p.id === i))).toBe(false);
    const draft = await f.campaign(marketing);
    const cancelled = await f.req("POST", `/v1/campaigns/${draft}/cancel`);
    expect(cancelled.json().status).toBe("cancelled");
    expect((await f.req("POST", `/v1/campaigns/${draft}/send`)).statusCode).toBe(409);
  });
});
