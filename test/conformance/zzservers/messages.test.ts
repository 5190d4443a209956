import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { campaignFixture, sendAndCollect, type CampaignFixture } from "../../campaigns/helpers.ts";

/** Messages under the ZZ Servers pack, through the campaign API and a real SMTP server. */
let f: CampaignFixture;
let optedOut: string;

beforeAll(async () => {
  f = await campaignFixture("zzservers");
  await f.person("stays@example.com");
  optedOut = await f.person("optedout@example.com");
  await f.consent(optedOut, "purpose", "marketing.communications.email", "withdrawn", "email");
});
afterAll(() => f?.close());

describe("zzservers messages", () => {
  it("ZZ-08: essential account messages still reach a customer who opted out of product news", async () => {
    const news = await sendAndCollect(f, {
      purpose: "marketing.communications.email",
      messageClass: "marketing",
      channel: "email",
      text: "New servers",
    });
    expect(news.to).toEqual(["stays@example.com"]);
    expect(news.view.messages.sent).toBe(1);

    const notice = await sendAndCollect(f, {
      purpose: "essential.service.account_maintenance",
      messageClass: "security",
      channel: "email",
      text: "Maintenance tonight",
    });
    expect(notice.to.sort()).toEqual(["optedout@example.com", "stays@example.com"]);
  });
});
