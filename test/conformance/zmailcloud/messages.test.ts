import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { campaignFixture, sendAndCollect, type CampaignFixture } from "../../campaigns/helpers.ts";

/** Messages under the zMailCloud pack, through the campaign API and a real SMTP server. */
let f: CampaignFixture;

beforeAll(async () => {
  f = await campaignFixture("zmailcloud");
  await f.person("all@example.com");
  const noNewsletter = await f.person("no-newsletter@example.com");
  await f.consent(noNewsletter, "topic", "newsletter", "withdrawn", "email");
  const nothing = await f.person("nothing@example.com");
  await f.consent(nothing, "purpose", "marketing.communications", "withdrawn", "email");
});
afterAll(() => f?.close());

const topic = (t: string) => ({
  purpose: "marketing.communications",
  messageClass: "marketing",
  channel: "email",
  topic: t,
  text: `The ${t}`,
});

describe("zmailcloud messages", () => {
  it("ZM-05: subscribers choose their topics; feedback requests and service and billing notices are always sent", async () => {
    const newsletter = await sendAndCollect(f, topic("newsletter"));
    expect(newsletter.to).toEqual(["all@example.com"]);
    const blog = await sendAndCollect(f, topic("blog"));
    expect(blog.to.sort()).toEqual(["all@example.com", "no-newsletter@example.com"]);

    const feedback = await sendAndCollect(f, {
      purpose: "essential.service.feedback",
      messageClass: "feedback",
      channel: "email",
      text: "How did we do?",
    });
    expect(feedback.to).toHaveLength(3);
    for (const messageClass of ["service", "billing"]) {
      const notice = await sendAndCollect(f, {
        purpose: "essential.service.provision_billing",
        messageClass,
        channel: "email",
        text: "Your account",
      });
      expect(notice.to).toHaveLength(3);
    }
  });
});
