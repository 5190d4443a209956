import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  campaignFixture,
  messageTo,
  parseMail,
  sendAndCollect,
  type CampaignFixture,
  type ParsedMail,
} from "./helpers.ts";

/**
 * The foot of campaign emails under the Zones pack (marketing by email rests on consent), sent
 * over real SMTP and read back by an independent parser: both parts say why the message came,
 * marketing carries its working unsubscribe link and the postal address, essential messages say
 * why they cannot be unsubscribed from.
 */
let f: CampaignFixture;
const MARKETING = "marketing.communications.email";
const ADDRESS = ["Zones, LLC", "1102 15th St SW, Ste 102", "Auburn, WA 98001", "United States"];

beforeAll(async () => {
  f = await campaignFixture("zones");
});
afterAll(() => f?.close());

/** A person who opted in to marketing email; returns their id. */
async function optedIn(email: string): Promise<string> {
  const id = await f.person(email);
  await f.consent(id, "purpose", MARKETING, "granted", "email");
  return id;
}

/** Sends a campaign and returns the one message the address received, parsed. */
async function receive(email: string, body: Record<string, unknown>): Promise<ParsedMail> {
  const before = f.sink.messages.length;
  await sendAndCollect(f, body);
  return parseMail(messageTo(f.sink, email, before));
}

/** The day the person's consent was recorded, in the pack's time zone, as the footer writes it. */
async function consentDay(subjectId: string): Promise<string> {
  const row = await f.t.store.db
    .selectFrom("subject_consents")
    .select("updated_at")
    .where("subject_id", "=", subjectId)
    .where("scope", "=", MARKETING)
    .executeTakeFirstOrThrow();
  const format = { timeZone: "America/Los_Angeles", year: "numeric", month: "2-digit", day: "2-digit" };
  return new Intl.DateTimeFormat("en-CA", format as Intl.DateTimeFormatOptions).format(
    new Date(row.updated_at),
  );
}

const offers = { purpose: MARKETING, messageClass: "marketing", channel: "email", subjectLine: "Offers" };

describe("email footers", () => {
  it("a marketing email says, in its text and HTML parts, why it came (the consent and its date), with its unsubscribe link and the postal address", async () => {
    const email = "footer-html@example.com";
    const id = await optedIn(email);
    const mail = await receive(email, {
      ...offers,
      text: "Offers inside",
      html: "<!doctype html><html><body><p>Offers <b>inside</b></p></body></html>",
    });

    const why = `You receive this email because you agreed on ${await consentDay(id)} to receive "Promotional offers by email (only after opting in)" from Zones, LLC.`;
    expect(mail.listUnsubscribePost).toBe("List-Unsubscribe=One-Click");
    const url = mail.unsubscribeUrl!;
    expect(url).toMatch(/^https?:\/\/.+\/u\/[A-Za-z0-9_.-]+$/);

    expect(mail.text.startsWith("Offers inside\n\n-- \n")).toBe(true);
    expect(mail.text).toContain(why);
    expect(mail.text).toContain(`unsubscribe here: ${url}`);
    expect(mail.text).toContain(ADDRESS.join("\n"));

    const html = mail.html!;
    expect(html).toContain("<p>Offers <b>inside</b></p>");
    expect(html.indexOf("<footer")).toBeGreaterThan(html.indexOf("<b>inside</b>"));
    expect(html.indexOf("<footer")).toBeLessThan(html.indexOf("</body>"));
    expect(html).toContain(why.replace(/"/g, "&quot;"));
    expect(html).toContain(`<a href="${url}">Unsubscribe</a>`);
    for (const line of ADDRESS) expect(html).toContain(line);
  });

  it("the link in the footer works: it unsubscribes the person, who gets no more offers", async () => {
    const email = "footer-link@example.com";
    await optedIn(email);
    const mail = await receive(email, { ...offers, text: "First offers" });
    const link = /unsubscribe here: (\S+)/.exec(mail.text)?.[1];
    expect(link).toBe(mail.unsubscribeUrl);
    const path = new URL(link!).pathname;

    const page = await f.t.app.inject({ method: "GET", url: path });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Promotional offers by email");
    const done = await f.t.app.inject({
      method: "POST",
      url: path,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "scope=target",
    });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain("you will not receive");

    const { to } = await sendAndCollect(f, { ...offers, text: "Second offers" });
    expect(to).not.toContain(email);
    expect(to.length).toBeGreaterThan(0); // others who opted in still receive it
  });

  it("a text-only marketing email gets an HTML part too, made from its text, with the same footer", async () => {
    const email = "footer-text@example.com";
    const id = await optedIn(email);
    const mail = await receive(email, { ...offers, text: "Hello <friends> & all\n\nSecond paragraph" });
    const html = mail.html!;
    expect(html).toContain("<p>Hello &lt;friends&gt; &amp; all</p>");
    expect(html).toContain("<p>Second paragraph</p>");
    expect(html).toContain(`<a href="${mail.unsubscribeUrl!}">Unsubscribe</a>`);
    expect(html).toContain(`agreed on ${await consentDay(id)}`);
    for (const line of ADDRESS) expect(html).toContain(line);
  });

  it("an essential email says why it cannot be unsubscribed from, in the pack's words, and carries no unsubscribe link", async () => {
    const email = "footer-essential@example.com";
    await optedIn(email);
    const mail = await receive(email, {
      purpose: "essential.service.order_fulfilment",
      messageClass: "delivery",
      channel: "email",
      subjectLine: "Your order shipped",
      text: "Your order is on its way.",
    });
    const notice =
      "This is not a marketing message: it is about your account, an order, its delivery or its billing, which we send to every customer who has one, so it has no unsubscribe link.";
    const why = `You receive this delivery message from Zones, LLC for: "Complete orders and contact customers about their orders or registration".`;
    expect(mail.unsubscribeUrl).toBeNull();
    expect(mail.listUnsubscribePost).toBeNull();
    for (const part of [mail.text, mail.html!]) {
      expect(part).not.toMatch(/\/u\/|unsubscribe here/i);
      for (const line of ADDRESS) expect(part).toContain(line);
    }
    expect(mail.text).toContain(why);
    expect(mail.text).toContain(notice);
    expect(mail.html!).toContain(why.replace(/"/g, "&quot;"));
    expect(mail.html!).toContain(notice);
  });
});
