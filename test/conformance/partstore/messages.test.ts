import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { campaignFixture, sendAndCollect, type CampaignFixture } from "../../campaigns/helpers.ts";

/** Messages under the PartStore pack, through the campaign API and a real SMTP server. */
let f: CampaignFixture;

beforeAll(async () => {
  f = await campaignFixture("partstore");
  await f.person("customer@example.com");
  await f.person("former@example.com", { status: "former" });
  await f.person("former-listed@example.com", { status: "former" });
  await f.person("listed@example.com");
  for (const address of ["former-listed@example.com", "listed@example.com"]) {
    const res = await f.req("POST", "/v1/suppression", {
      channel: "email",
      address,
      reason: "unsubscribe",
      source: "staff",
    });
    expect(res.statusCode).toBe(201);
  }
});
afterAll(() => f?.close());

const promotion = {
  purpose: "marketing.communications",
  messageClass: "marketing",
  channel: "email",
  text: "Offers",
};

describe("partstore messages", () => {
  it("PS-06: technical, security and delivery messages still go to addresses on the Do Not Send list", async () => {
    for (const messageClass of ["service", "security", "delivery"]) {
      const { to } = await sendAndCollect(f, {
        purpose: "essential.service.delivery",
        messageClass,
        channel: "email",
        text: `A ${messageClass} message`,
      });
      expect(to).toContain("listed@example.com");
      expect(to).toContain("former-listed@example.com");
      expect(to).toHaveLength(4);
    }
    const { to } = await sendAndCollect(f, promotion);
    expect(to).not.toContain("listed@example.com");
  });

  it("PS-07: former customers are contacted again unless they are on the Do Not Send list", async () => {
    const preview = await f.req(
      "POST",
      `/v1/campaigns/${await f.campaign({ subjectLine: "x", ...promotion })}/preview`,
    );
    expect(preview.json().audience).toBe(2);
    const { to, view } = await sendAndCollect(f, promotion);
    expect(to.sort()).toEqual(["customer@example.com", "former@example.com"]);
    expect(view.messages.sent).toBe(2);
  });
});
