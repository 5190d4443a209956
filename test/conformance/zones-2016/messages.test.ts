import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { campaignFixture, sendAndCollect, type CampaignFixture } from "../../campaigns/helpers.ts";

/** Own marketing under the Zones 2016 pack, through the campaign API and a real SMTP server. */
let f: CampaignFixture;
let stoppedSharing: string;
let stoppedMarketing: string;

beforeAll(async () => {
  f = await campaignFixture("zones");
  stoppedSharing = await f.person("no-sharing@example.com");
  stoppedMarketing = await f.person("no-marketing@example.com");
  for (const id of [stoppedSharing, stoppedMarketing]) {
    await f.consent(id, "purpose", "marketing.communications.email", "granted", "email");
  }
  await f.consent(stoppedSharing, "sharing", "partner_sharing", "withdrawn");
  await f.consent(stoppedMarketing, "purpose", "marketing.communications.email", "withdrawn", "email");
});
afterAll(() => f?.close());

describe("zones-2016 messages", () => {
  it("Z16-13: own marketing can be stopped separately from partner sharing", async () => {
    const { to } = await sendAndCollect(f, {
      purpose: "marketing.communications.email",
      messageClass: "marketing",
      channel: "email",
      text: "New products",
    });
    // Stopping partner sharing did not stop our own promotions…
    expect(to).toEqual(["no-sharing@example.com"]);
    // …and stopping our own promotions did not stop (or record a stop of) partner sharing.
    const optOuts = await f.t.store.db
      .selectFrom("subject_opt_outs")
      .select(["subject_id", "scope"])
      .execute();
    expect(optOuts).toEqual([{ subject_id: stoppedSharing, scope: "partner_sharing" }]);
  });
});
