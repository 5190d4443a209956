import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "../../harness/wait.ts";
import {
  campaignFixture,
  messageTo,
  parseMail,
  sendAndCollect,
  type CampaignFixture,
  type ParsedMail,
} from "../../campaigns/helpers.ts";

/**
 * The foot of PartStore's emails, as a person receives them over real SMTP: "the unsubscribe
 * link at the bottom of the email" (PS-05) with the postal address and the reason, and essential
 * messages that say, in the policy's words, why they cannot be stopped (PS-06).
 */
let f: CampaignFixture;
const ADDRESS = ["PartStore.com", "100 Example Parkway, Suite 200", "Anytown, OH 45999", "United States"];
const PROMOTION = {
  purpose: "marketing.communications",
  messageClass: "marketing",
  channel: "email",
  subjectLine: "Spring offers",
  text: "Brake pads at half price.",
};
const ESSENTIAL_WORDS =
  'This is not a marketing message. You may continue to receive non-marketing messages from us (for example, messages regarding Website technical and security issues or delivery information), even on our "Do Not Send" list, and you cannot opt out of receiving them.';

beforeAll(async () => {
  f = await campaignFixture("partstore");
});
afterAll(() => f?.close());

async function receive(email: string, body: Record<string, unknown>): Promise<ParsedMail> {
  const before = f.sink.messages.length;
  await sendAndCollect(f, body);
  return parseMail(messageTo(f.sink, email, before));
}

async function suppressed(address: string): Promise<boolean> {
  const res = await f.req("POST", "/v1/suppression/check", { channel: "email", address });
  return (res.json() as { suppressed: boolean }).suppressed;
}

describe("partstore: the foot of a received email", () => {
  it("PS-05: the unsubscribe link at the bottom of a promotional email, with the postal address and the reason, puts the address on Do Not Send", async () => {
    const email = "ps05-footer@example.com";
    await f.person(email);
    const mail = await receive(email, PROMOTION);

    const why =
      'You receive this email because you gave your address to PartStore.com and have not opted out of "Special offers and promotional material from us or other companies".';
    const [body, foot] = mail.text.split("\n-- \n");
    expect(body).toContain("Brake pads at half price.");
    expect(foot).toContain(why);
    expect(foot).toContain(`unsubscribe here: ${mail.unsubscribeUrl!}`);
    expect(foot!.trimEnd().endsWith(ADDRESS.join("\n"))).toBe(true);
    const html = mail.html!;
    expect(html.indexOf(`<a href="${mail.unsubscribeUrl!}">Unsubscribe</a>`)).toBeGreaterThan(
      html.indexOf("Brake pads at half price."),
    );
    expect(html).toContain(why.replace(/"/g, "&quot;"));
    for (const line of ADDRESS) expect(html).toContain(line);
    expect(mail.listUnsubscribePost).toBe("List-Unsubscribe=One-Click");

    // The person clicks the link at the bottom and confirms on the page it opens.
    const link = new URL(/unsubscribe here: (\S+)/.exec(foot!)![1]!).pathname;
    expect((await f.t.app.inject({ method: "GET", url: link })).statusCode).toBe(200);
    const done = await f.t.app.inject({
      method: "POST",
      url: link,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "scope=target",
    });
    expect(done.statusCode).toBe(200);
    expect(await suppressed(email)).toBe(true);
    const { to } = await sendAndCollect(f, PROMOTION);
    expect(to).not.toContain(email);
  });

  it("PS-06: a delivery message reaches an address on Do Not Send, says why it cannot be unsubscribed from, and carries no unsubscribe link", async () => {
    const email = "ps06-footer@example.com";
    await f.person(email);
    const listed = await f.req("POST", "/v1/suppression", {
      channel: "email",
      address: email,
      reason: "unsubscribe",
      source: "staff",
    });
    expect(listed.statusCode).toBe(201);
    const mail = await receive(email, {
      purpose: "essential.service.order_fulfilment",
      messageClass: "delivery",
      channel: "email",
      subjectLine: "Your order shipped",
      text: "Your order is on its way.",
    });
    expect(mail.unsubscribeUrl).toBeNull();
    expect(mail.listUnsubscribePost).toBeNull();
    for (const part of [mail.text, mail.html!]) {
      expect(part).toContain(ESSENTIAL_WORDS.replace(/"/g, part === mail.text ? '"' : "&quot;"));
      expect(part).toContain("delivery message from PartStore.com");
      expect(part).not.toMatch(/\/u\/|unsubscribe here/i);
      for (const line of ADDRESS) expect(part).toContain(line);
    }
  });

  it("PS-06: a privacy request's notice is essential too: it says why, in the policy's words, and has no unsubscribe link", async () => {
    const email = "ps06-notice@example.com";
    await f.person(email);
    const before = f.sink.messages.length;
    const res = await f.req("POST", "/v1/requests", { kind: "access", claimant: { email } });
    expect(res.statusCode).toBe(201);
    const raw = await until(
      "the request's acknowledgement",
      () => f.sink.messages.slice(before).find((m) => m.envelope.to.includes(email)) ?? null,
    );
    const mail = await parseMail(raw);
    expect(mail.unsubscribeUrl).toBeNull();
    for (const part of [mail.text, mail.html!]) {
      expect(part).toContain("a privacy request was made with this email address");
      expect(part).toContain(ESSENTIAL_WORDS.replace(/"/g, part === mail.text ? '"' : "&quot;"));
      expect(part).not.toMatch(/\/u\/|unsubscribe here/i);
    }
  });
});
