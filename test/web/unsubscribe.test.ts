import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtpSink, type SmtpSink } from "../harness/smtp.ts";
import {
  buildWeb,
  expectAccessible,
  HAVE_CHROMIUM,
  problemsOf,
  screenshot,
  SKIP_REASON,
  startWeb,
  type WebRun,
} from "./browser.ts";
import { signUp } from "./privacy-session.ts";

/**
 * An unsubscribe from a real email, in Chromium (zMailCloud): a customer signs up on the privacy
 * center asking for the newsletter, a campaign is sent over SMTP to a real server, and the link in
 * the received message's List-Unsubscribe header is opened in a browser that is not signed in. The
 * pages confirm, then stop the newsletter, and the customer's preferences show it stopped.
 */
const suite = HAVE_CHROMIUM ? describe : describe.skip;
if (!HAVE_CHROMIUM) console.warn(SKIP_REASON);

let web: Awaited<ReturnType<typeof buildWeb>> | undefined;
beforeAll(async () => {
  if (HAVE_CHROMIUM) web = await buildWeb();
});

suite(`unsubscribing from a received email in Chromium${HAVE_CHROMIUM ? "" : ` (${SKIP_REASON})`}`, () => {
  let run: WebRun;
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
    run = await startWeb("zmailcloud", web!.dir, {
      env: { PLEDGE_SMTP_URL: sink.url, PLEDGE_MAIL_FROM: "news@zmail.test" },
    });
  });
  afterAll(async () => {
    await run?.close();
    await sink?.close();
  });

  it("the link of a received newsletter works without signing in, and the newsletter stops", async () => {
    const customer = await run.page();
    await signUp(customer, "ada@example.com", { tick: ["Send me Electronic newsletter"] });

    const admin = { authorization: `Bearer ${await run.t.apiKey("admin")}` };
    const made = await run.t.app.inject({
      method: "POST",
      url: "/v1/campaigns",
      headers: admin,
      payload: {
        name: "December news",
        purpose: "marketing.communications",
        topic: "newsletter",
        messageClass: "marketing",
        channel: "email",
        subjectLine: "December news",
        text: "What is new this month.",
      },
    });
    expect(made.statusCode, made.body).toBe(201);
    const sent = await run.t.app.inject({
      method: "POST",
      url: `/v1/campaigns/${made.json().id}/send`,
      headers: admin,
    });
    expect(sent.statusCode, sent.body).toBeLessThan(300);
    await expect.poll(() => sink.messages.length, { timeout: 60_000 }).toBe(1);
    const received = sink.messages[0]!;
    expect(received.envelope.to).toEqual(["ada@example.com"]);

    // The https link of List-Unsubscribe (RFC 2369), at this server (PLEDGE_PUBLIC_URL's path).
    const header = /^List-Unsubscribe:((?:.*)(?:\r\n[ \t].*)*)/im
      .exec(received.raw)?.[1]
      ?.replace(/\r\n[ \t]/g, "");
    const link = /<(https?:\/\/[^>]+)>/.exec(header ?? "")?.[1];
    expect(link, received.raw.slice(0, 2000)).toBeDefined();
    const url = new URL(link!);
    expect(url.pathname).toMatch(/^\/u\//);
    expect(url.href).not.toContain("ada");

    const anyone = await run.page();
    await anyone.goto(url.pathname);
    await anyone.getByRole("button").first().waitFor();
    expect((await anyone.context().cookies()).map((c) => c.name)).not.toContain("pledge_session");
    expect(await anyone.locator("body").textContent()).toContain("Electronic newsletter");
    await expectAccessible(anyone);
    await screenshot(anyone, "unsubscribe-confirm");
    await anyone.getByRole("button", { name: "Unsubscribe", exact: true }).click();
    await anyone.getByRole("heading", { level: 1, name: "You are unsubscribed" }).waitFor();
    expect(await anyone.locator("body").textContent()).toContain(
      "you will not receive Electronic newsletter by email",
    );
    await expectAccessible(anyone);
    await screenshot(anyone, "unsubscribe-done");
    expect(problemsOf(anyone)).toEqual([]);

    // The customer's own page shows the newsletter stopped by email.
    await customer.getByRole("link", { name: "My preferences" }).click();
    const row = customer.getByRole("row", { name: /Electronic newsletter/ });
    await row.waitFor();
    // The grid reads the consents afresh: the newsletter's cell is no longer "Yes", and can be
    // turned on again by the customer.
    await customer.getByRole("button", { name: "Turn on Electronic newsletter by email" }).waitFor();
    expect(await row.textContent()).not.toContain("Yes");
    expect(problemsOf(customer)).toEqual([]);
  });
});
