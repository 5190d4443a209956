import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBoss } from "../../src/jobs/boss.ts";
import { SEND_QUEUE } from "../../src/modules/campaigns/campaigns.ts";
import { until } from "../harness/wait.ts";
import { campaignFixture, type CampaignFixture } from "./helpers.ts";

/**
 * A send job queued in the earlier form, message ids without their person (as a node of the
 * version before queued them), is still sent after an upgrade: its messages are looked for on
 * every shard instead of one.
 */
let f: CampaignFixture;
beforeAll(async () => {
  f = await campaignFixture("partstore");
  await f.person("legacy1@example.com");
  await f.person("legacy2@example.com");
});
afterAll(() => f?.close());

describe("send jobs of the earlier form", () => {
  it("a job naming bare message ids sends them, once each", async () => {
    const id = await f.campaign({
      name: "legacy",
      purpose: "marketing.communications",
      messageClass: "marketing",
      channel: "email",
      subjectLine: "Hello",
    });
    expect((await f.req("POST", `/v1/campaigns/${id}/send`)).statusCode).toBe(202);
    expect((await f.finished(id)).messages.sent).toBe(2);
    // One message back in the outbox, as if its job had been queued before the upgrade.
    const db = f.t.store.db;
    const [message] = await db
      .selectFrom("campaign_messages")
      .select(["message_id", "subject_id"])
      .where("campaign_id", "=", id)
      .orderBy("message_id")
      .limit(1)
      .execute();
    await db
      .updateTable("campaign_messages")
      .set({ state: "queued", sent_at: null, header_message_id: null })
      .where("subject_id", "=", message!.subject_id)
      .where("message_id", "=", message!.message_id)
      .execute();
    await db
      .updateTable("campaigns")
      .set({ status: "sending", finished_at: null })
      .where("campaign_id", "=", id)
      .execute();
    const before = f.sink.messages.length;
    const boss = await startBoss(f.t.store, {
      onError: (error) => {
        throw error;
      },
    });
    try {
      await boss.send(SEND_QUEUE, { campaignId: id, messageIds: [message!.message_id] });
      await until("the message of the earlier job sent", async () => {
        const row = await db
          .selectFrom("campaign_messages")
          .select("state")
          .where("subject_id", "=", message!.subject_id)
          .where("message_id", "=", message!.message_id)
          .executeTakeFirstOrThrow();
        return row.state === "sent";
      });
    } finally {
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    }
    expect((await f.finished(id)).status).toBe("sent");
    expect(f.sink.messages.length).toBe(before + 1);
    expect(f.sink.messages.at(-1)!.messageId).toMatch(new RegExp(`^${message!.message_id}\\.`));
  });
});
