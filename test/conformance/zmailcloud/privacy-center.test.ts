import { readdirSync, readFileSync } from "node:fs";
import { strFromU8, unzipSync } from "fflate";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildWeb,
  expectAccessible,
  HAVE_CHROMIUM,
  problemsOf,
  screenshot,
  SKIP_REASON,
  startWeb,
  type WebRun,
} from "../../web/browser.ts";
import { NEW_PASSWORD, PASSWORD, signUp } from "../../web/privacy-session.ts";

/**
 * zMailCloud's privacy center end to end in Chromium: a real server, a real build, a real browser.
 * The clause tests here (ZM-04, ZM-06, ZM-07, ZM-08, ZM-13, ALL-04) drive the pages as a customer
 * would. Every page is checked with axe-core (no serious or critical violation) and for CSP
 * violations; the tests wait on what the page shows, never on time.
 */
const suite = HAVE_CHROMIUM ? describe : describe.skip;
if (!HAVE_CHROMIUM) console.warn(SKIP_REASON);

let web: Awaited<ReturnType<typeof buildWeb>> | undefined;
beforeAll(async () => {
  if (HAVE_CHROMIUM) web = await buildWeb();
});
afterAll(() => web?.remove());

suite(`the privacy center of zMailCloud in Chromium${HAVE_CHROMIUM ? "" : ` (${SKIP_REASON})`}`, () => {
  let run: WebRun;
  let page: Page;
  beforeAll(async () => {
    run = await startWeb("zmailcloud", web!.dir);
    page = await run.page();
  });
  afterAll(async () => run?.close());

  it("ZM-04: the home page and the published policy work without an account, under a strict CSP", async () => {
    const response = await page.goto("/");
    const csp = response?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    await page.getByRole("heading", { level: 1, name: "Your privacy at zMailCloud" }).waitFor();
    // The keyboard: the first Tab reaches the skip link, then the site's navigation.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("zMailCloud");
    await expectAccessible(page);
    await screenshot(page, "home");

    await page.getByRole("link", { name: "Read the privacy policy" }).click();
    await page.getByRole("heading", { level: 1, name: "Privacy policy" }).waitFor();
    await expect(page.locator("#ZM-04")).toBeDefined();
    expect(await page.locator("#ZM-04 h2").textContent()).toContain("ZM-04");
    expect(await page.getByRole("row", { name: /2015-10-17/ }).textContent()).toContain("In force");
    await expectAccessible(page);
    await screenshot(page, "policy");
    expect(problemsOf(page)).toEqual([]);
  });

  it("the first page's JavaScript is at most 100 KB compressed", () => {
    // Every script the privacy center's page loads: its entry and the modules it preloads (the
    // console's scripts are another page's).
    const html = readFileSync(path.join(web!.dir, "index.html"), "utf8");
    const js = [...html.matchAll(/(?:src|href)="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]!);
    expect(js.length).toBeGreaterThan(0);
    expect(readdirSync(path.join(web!.dir, "assets"))).toEqual(expect.arrayContaining(js));
    const gzipped = js.reduce(
      (sum, f) => sum + gzipSync(readFileSync(path.join(web!.dir, "assets", f)), { level: 9 }).length,
      0,
    );
    expect(gzipped).toBeLessThanOrEqual(100 * 1024);
  });

  it("an account page without a session asks to sign in first", async () => {
    await page.goto("/my/preferences");
    await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    expect(new URL(page.url()).searchParams.get("next")).toBe("/my/preferences");
    await expectAccessible(page);
  });

  it("ZM-13: sign-up shows the clauses where data is collected, records the choices ticked, and sets the customer cookie the site can read", async () => {
    await page.goto("/signup");
    await page.getByRole("heading", { level: 1, name: "Create an account" }).waitFor();
    await page.getByText("What the policy says about messages").click();
    expect(await page.locator("details.clauses-inline").last().textContent()).toContain("ZM-05");
    await expectAccessible(page);
    await screenshot(page, "signup");
    await signUp(page, "ada@example.com", { tick: ["Send me Electronic newsletter"] });
    expect(
      await page
        .getByRole("row", { name: /Email address/ })
        .first()
        .textContent(),
    ).toContain("ada@example.com");
    expect(
      await page
        .getByRole("row", { name: /Email address/ })
        .first()
        .textContent(),
    ).toContain("when you signed up");
    await expectAccessible(page);
    await screenshot(page, "information");

    // ZM-13: the page's own script reads the customer's identifier from its cookie; it is the
    // record's customer number, which the page shows, and it carries nothing personal.
    const cookies = await page.evaluate(() => document.cookie);
    const customer = /(?:^|;\s*)pledge_customer=([^;]+)/.exec(cookies)?.[1];
    expect(customer).toMatch(/^C[A-Z2-7]{12}$/);
    expect(cookies).not.toContain("pledge_session"); // HttpOnly: no script reads the session
    const shown = await page
      .getByRole("row", { name: /Customer number/ })
      .first()
      .textContent();
    expect(shown).toContain(customer);
    for (const personal of ["ada", "Lovelace", "1990"]) expect(customer).not.toContain(personal);
  });

  it("ZM-07: my information: an edit is saved through the account API; a card number is refused before it is sent", async () => {
    const sent: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "PATCH") sent.push(r.url());
    });
    expect(await page.getByLabel("Interests").count()).toBe(0); // not a field of this pack
    await page.getByLabel("ZIP or postal code").fill("4111 1111 1111 1111");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("This looks like a payment card number").waitFor();
    expect(sent).toEqual([]);
    await page.getByLabel("ZIP or postal code").fill("");
    await page.getByLabel("First name").fill("Augusta Ada");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("status").getByText("Saved.").waitFor();
    expect(
      await page
        .getByRole("row", { name: /First name/ })
        .first()
        .textContent(),
    ).toContain("Augusta Ada");
    expect(sent).toHaveLength(1);
  });

  it("ZM-07: an address is added and removed by the customer", async () => {
    await page.getByLabel("Kind of address").selectOption("billing");
    await page.getByLabel("Street and number").fill("12 St James's Square");
    await page.getByLabel("Town or city").fill("London");
    await page.getByLabel("Postal code (ZIP)").fill("SW1Y 4JH");
    await page.getByLabel("Country code").fill("GB");
    await page.getByRole("button", { name: "Add the address" }).click();
    await page.getByText("Address added.").waitFor();
    expect(await page.getByRole("row", { name: /billing address/i }).textContent()).toContain("SW1Y 4JH");
    await expectAccessible(page);
    await screenshot(page, "addresses");
    await page.getByRole("button", { name: /Remove 12 St James's Square/ }).click();
    await page.getByText("Address removed.").waitFor();
    expect(await page.getByRole("row", { name: /billing address/i }).count()).toBe(0);
  });

  it("ZM-07: another contact is added and removed", async () => {
    await page.getByLabel("Contact's name").fill("Charles Babbage");
    await page.getByLabel("Contact's email address").fill("charles@example.com");
    await page.getByRole("button", { name: "Add the contact" }).click();
    await page.getByText("Contact added.").waitFor();
    await page.getByText("Charles Babbage, charles@example.com").waitFor();
    await expectAccessible(page);
    await page.getByRole("button", { name: "Remove Charles Babbage" }).click();
    await page.getByText("Contact removed.").waitFor();
    expect(await page.getByText("Charles Babbage, charles@example.com").count()).toBe(0);
  });

  it("ZM-07: a service is ordered, its plan changed and then cancelled by the customer", async () => {
    const services = page.getByRole("region", { name: "My services" });
    await services.getByText("No service yet.").waitFor();
    await services.getByLabel("Plan", { exact: true }).fill("Mail 10 GB");
    await services.getByRole("button", { name: "Order the service" }).click();
    await services.getByText("Service ordered.").waitFor();
    await services.getByText(/^Mail 10 GB: Active, since/).waitFor();
    await services.getByRole("button", { name: "Change Mail 10 GB" }).click();
    await services.getByLabel("New plan").fill("Mail 50 GB");
    await expectAccessible(page);
    await services.getByRole("button", { name: "Change the plan" }).click();
    await services.getByText("Plan changed.").waitFor();
    await services.getByText(/^Mail 50 GB: Active \(plan changed\)/).waitFor();
    await services.getByRole("button", { name: "Cancel Mail 50 GB" }).click();
    await services.getByText("Service cancelled.").waitFor();
    await services.getByText(/^Mail 50 GB: Cancelled/).waitFor();
    expect(await services.getByRole("button", { name: "Cancel Mail 50 GB" }).count()).toBe(0);
    await screenshot(page, "services");
    expect(problemsOf(page)).toEqual([]);
  });

  it("ZM-07: billing details: a payment method shows what the token stands for, never the token, and its reuse is the customer's to allow", async () => {
    const [subject] = await run.t.store.db
      .selectFrom("subjects")
      .select("subject_id")
      .where("erased_at", "is", null)
      .orderBy("created_at", "desc")
      .limit(1)
      .execute();
    const key = await run.t.apiKey("admin");
    const added = await run.t.app.inject({
      method: "POST",
      url: `/v1/subjects/${subject!.subject_id}/payment-methods`,
      headers: { authorization: `Bearer ${key}` },
      payload: {
        token: "tok_1N3xYz2eZvKYlo2C",
        brand: "visa",
        last4: "4242",
        expiry: "09/2029",
        orderId: "ORD-1",
        reuseAllowed: false,
        purpose: "essential.service.provision_billing",
        collectionPoint: "web.checkout",
      },
    });
    expect(added.statusCode, added.body).toBe(201);
    await page.reload();
    const methods = page.getByRole("region", { name: "My payment methods" });
    await methods
      .getByText("Visa ending 4242, expires 09/2029, given for order ORD-1. Used for that order only.")
      .waitFor();
    expect(await page.content()).not.toContain("tok_1N3xYz2eZvKYlo2C");
    await methods.getByRole("button", { name: "Allow reuse of Visa ending 4242" }).click();
    await methods.getByText("This card may be used again for your later orders.").waitFor();
    await methods.getByText(/May be used for later orders\./).waitFor();
    await expectAccessible(page);
    expect(problemsOf(page)).toEqual([]);
  });

  it("a stale edit shows the conflict instead of overwriting the change made elsewhere", async () => {
    // The record changes behind the page's back: another tab of the same session.
    const other = await page.context().newPage();
    await other.goto("/my/information");
    await other.getByLabel("Last name").fill("King");
    await other.getByRole("button", { name: "Save changes" }).click();
    await other.getByRole("status").getByText("Saved.").waitFor();
    await other.close();
    await page.getByLabel("Last name").fill("Byron");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("changed somewhere else").waitFor();
    expect(
      await page
        .getByRole("row", { name: /Last name/ })
        .first()
        .textContent(),
    ).toContain("King");
  });

  it("a session that ends under an open page asks to sign in there, keeping what was typed", async () => {
    await page.context().clearCookies({ name: "pledge_session" });
    await page.getByLabel("Last name").fill("Lovelace King");
    await page.getByRole("button", { name: "Save changes" }).click();
    const again = page.getByRole("region", { name: "You have been signed out" });
    await again.waitFor();
    expect(await page.getByLabel("Last name").inputValue()).toBe("Lovelace King");
    await expectAccessible(page);
    await screenshot(page, "session-ended");
    await again.getByLabel("Email address").fill("ada@example.com");
    await again.getByLabel("Password").fill(PASSWORD);
    await again.getByRole("button", { name: "Sign in" }).click();
    await again.waitFor({ state: "detached" });
    expect(await page.getByLabel("Last name").inputValue()).toBe("Lovelace King");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("status").getByText("Saved.").waitFor();
    expect(
      await page
        .getByRole("row", { name: /Last name/ })
        .first()
        .textContent(),
    ).toContain("Lovelace King");
  });

  it("ZM-06: the preferences grid, a channel stopped in one click, and one cell turned back on", async () => {
    await page.getByRole("link", { name: "My preferences" }).click();
    await page.getByRole("heading", { level: 1, name: "My preferences" }).waitFor();
    const newsletter = page.getByRole("row", { name: /Electronic newsletter/ });
    expect(await newsletter.textContent()).toContain("Yes");
    await expectAccessible(page);
    await screenshot(page, "preferences");
    await page.getByRole("button", { name: "Stop email marketing" }).click();
    await page.getByText("Email marketing is stopped").waitFor();
    expect(await newsletter.textContent()).toContain("Stopped");
    expect(await page.getByRole("button", { name: "Email stopped marketing" }).isDisabled()).toBe(true);
    // One cell back on, on its own (the person's own choice, recorded from the web).
    await page.getByRole("button", { name: "Turn on Electronic newsletter by email" }).click();
    await page.getByText("Electronic newsletter by email: turned on.").waitFor();
    expect(await newsletter.textContent()).toContain("Yes");
    expect(await page.getByRole("row", { name: /Blog updates/ }).textContent()).toContain("Stopped");
    await expectAccessible(page);
    // The same with the keyboard alone: focus the post button, press Enter.
    await page.getByRole("button", { name: "Stop post marketing" }).focus();
    await page.keyboard.press("Enter");
    await page.getByText("Post marketing is stopped").waitFor();
    await screenshot(page, "preferences-stopped");
  });

  it("my requests: an access request is made, followed to its deadline, and downloaded once fulfilled", async () => {
    await page.getByRole("link", { name: "My requests" }).click();
    await page.getByRole("heading", { level: 1, name: "My requests" }).waitFor();
    await page.getByLabel("What would you like?").selectOption("access");
    await page.getByRole("button", { name: "Send the request" }).click();
    await page.getByText("Request received: A copy of my data").waitFor();
    const row = page.getByRole("row", { name: /A copy of my data/ });
    expect(await row.textContent()).toMatch(/By \d{4}-\d{2}-\d{2} \(\d+ days left\)/);
    await expectAccessible(page);

    // Staff fulfil it (the request queue's own API).
    const key = await run.t.apiKey("admin");
    const auth = { authorization: `Bearer ${key}` };
    const queue = await run.t.app.inject({ method: "GET", url: "/v1/requests?kind=access", headers: auth });
    const request = queue.json().items[0];
    const moved = await run.t.app.inject({
      method: "POST",
      url: `/v1/requests/${request.id}/moves`,
      headers: { ...auth, "if-match": `"${request.version}"` },
      payload: { to: "fulfilled" },
    });
    expect(moved.statusCode).toBe(200);

    await page.reload();
    await page
      .getByRole("row", { name: /A copy of my data/ })
      .getByText("Done")
      .waitFor();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download my data" }).click(),
    ]);
    const saved = await download.path();
    expect(download.suggestedFilename()).toBe(`request-${request.id}.zip`);
    const files = unzipSync(readFileSync(saved));
    expect(Object.keys(files).sort()).toEqual(["README.txt", "data.csv", "data.json"]);
    expect(strFromU8(files["data.json"]!)).toContain("ada@example.com");
    await screenshot(page, "requests");
    expect(problemsOf(page)).toEqual([]);
  });

  it("ALL-04: who has my data lists what staff gave to a recipient: to whom, why, what, when", async () => {
    await page.getByRole("link", { name: "Who has my data" }).click();
    await page.getByRole("heading", { level: 1, name: "Who my data was given to" }).waitFor();
    await page.getByText("Your information has not been given to anyone.").waitFor();
    const key = await run.t.apiKey("admin");
    const auth = { authorization: `Bearer ${key}` };
    const queue = await run.t.app.inject({
      method: "GET",
      url: "/v1/requests?kind=access&state=all",
      headers: auth,
    });
    const subjectId = queue.json().items[0].subjectId as string;
    const contract = await run.t.app.inject({
      method: "PUT",
      url: "/v1/recipients/customer-organisation",
      headers: auth,
      payload: {
        legalName: "Example Org Ltd",
        address: "1 Market St, San Francisco, CA 94105, US",
        contractRef: "C-1",
        contractSignedOn: "2015-01-01",
      },
    });
    expect(contract.statusCode, contract.body).toBe(200);
    const shared = await run.t.app.inject({
      method: "POST",
      url: `/v1/subjects/${subjectId}/disclosures`,
      headers: auth,
      payload: {
        recipient: "customer-organisation",
        purpose: "essential.service.provision_billing",
        fields: ["email"],
      },
    });
    expect(shared.statusCode, shared.body).toBe(201);
    await page.reload();
    const row = page.getByRole("row", { name: /Example Org Ltd/ });
    await row.waitFor();
    expect(await row.textContent()).toContain("email");
    // Shine the Light: a share with the customer's own organisation is no disclosure for marketing.
    await page.getByRole("button", { name: "Show the report" }).click();
    await page
      .getByText(/^In \d{4}, nothing about you was given to another company for its own marketing\.$/)
      .waitFor();
    await expectAccessible(page);
    await screenshot(page, "disclosures");
    expect(problemsOf(page)).toEqual([]);
  });

  it("a password change needs the current password, and keeps the session working", async () => {
    await page.getByRole("link", { name: "My information" }).click();
    await page.getByLabel("Current password").fill("not the password at all");
    await page.getByLabel("New password").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Change my password" }).click();
    await page.getByText("Your current password is not right.").first().waitFor();
    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByRole("button", { name: "Change my password" }).click();
    await page.getByText("Your password is changed.").waitFor();
    await expectAccessible(page);
    // The session's new CSRF token is in use: a change still goes through.
    await page.getByLabel("First name").fill("Ada");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("status").getByText("Saved.").waitFor();
  });

  it("ZM-13: sign out ends the session but the site still recognises the customer; the account pages then ask to sign in again", async () => {
    const before = await page.evaluate(() => document.cookie);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { level: 1, name: "Your privacy at zMailCloud" }).waitFor();
    const customer = /(?:^|;\s*)pledge_customer=([^;]+)/.exec(before)?.[1];
    expect(customer).toBeDefined();
    expect(await page.evaluate(() => document.cookie)).toContain(`pledge_customer=${customer}`);
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain("pledge_session");
    await page.goto("/my/information");
    await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    await page.getByLabel("Email address").fill("ada@example.com");
    await page.getByLabel("Password").fill("not the password at all");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("The email address or password is not right.").waitFor();
    await page.getByLabel("Password").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "My information" }).waitFor();
    expect(problemsOf(page)).toEqual([]);
  });

  it("ZM-08: account pages reached over plain HTTP by the site's own name are refused, and no session is handed out", async () => {
    // zmailcloud.test resolves to this server (startWeb maps it): not localhost, so not exempt.
    const plain = await run.page();
    await plain.goto(`http://zmailcloud.test:${new URL(run.base).port}/signin`);
    await plain.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    await plain.getByLabel("Email address").fill("ada@example.com");
    await plain.getByLabel("Password").fill(NEW_PASSWORD);
    await plain.getByRole("button", { name: "Sign in" }).click();
    await plain.getByText("This page must be opened over a secure (https) connection.").waitFor();
    expect((await plain.context().cookies()).map((c) => c.name)).not.toContain("pledge_session");
    const answer = await plain.evaluate(async () => {
      const res = await fetch("/v1/account/me");
      return { status: res.status, code: ((await res.json()) as { code: string }).code };
    });
    expect(answer).toEqual({ status: 403, code: "PLEDGE_TLS_REQUIRED" });
    await expectAccessible(plain);
  });
});
