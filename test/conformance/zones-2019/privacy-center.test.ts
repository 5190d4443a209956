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
import { PASSWORD, signUp } from "../../web/privacy-session.ts";

/**
 * Zones' privacy center in Chromium under the 2019 policy (Z19-07, Z19-09, every version published):
 * a real server, a real build, a real browser, every page checked with axe-core and for CSP
 * violations.
 */
const suite = HAVE_CHROMIUM ? describe : describe.skip;
if (!HAVE_CHROMIUM) console.warn(SKIP_REASON);

let web: Awaited<ReturnType<typeof buildWeb>> | undefined;
beforeAll(async () => {
  if (HAVE_CHROMIUM) web = await buildWeb();
});
afterAll(() => web?.remove());

suite(`the privacy center of Zones in Chromium${HAVE_CHROMIUM ? "" : ` (${SKIP_REASON})`}`, () => {
  let run: WebRun;
  beforeAll(async () => {
    run = await startWeb("zones", web!.dir);
  });
  afterAll(async () => run?.close());

  it("Z19-07: the age gate refuses a child before anything is sent, and the server refuses one too", async () => {
    const page = await run.page();
    const posted: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST") posted.push(r.url());
    });
    await page.goto("/signup");
    await page.getByText("You must be 13 or older").waitFor();
    await page.getByLabel("First name").fill("Tom");
    await page.getByLabel("Last name").fill("Young");
    await page.getByLabel("Email address").fill("tom@example.com");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    const child = new Date();
    child.setUTCFullYear(child.getUTCFullYear() - 10);
    await page.getByLabel("Date of birth").fill(child.toISOString().slice(0, 10));
    await page.getByRole("button", { name: "Create my account" }).click();
    await page.getByText("You must be at least 13 to have an account").waitFor();
    expect(posted).toEqual([]);
    await expectAccessible(page);
    await screenshot(page, "zones-age-gate");
    // The server's own gate, for a client that skips the page's check.
    const refused = await run.t.app.inject({
      method: "POST",
      url: "/v1/account/signup",
      headers: { host: "localhost" },
      payload: {
        email: "tom@example.com",
        password: PASSWORD,
        firstName: "Tom",
        lastName: "Young",
        birthDate: child.toISOString().slice(0, 10),
      },
    });
    expect(refused.json().code).toBe("PLEDGE_UNDER_MINIMUM_AGE");
  });

  it("Z19-09: customers see their own customer information online, each item with where it came from", async () => {
    const page = await run.page();
    await signUp(page, "grace@example.com", { firstName: "Grace", lastName: "Hopper" });
    const me = await page.evaluate(async () => (await fetch("/v1/account/me")).json());
    const fields = Object.entries((me as { fields: Record<string, { value: string }> }).fields);
    expect(fields.length).toBeGreaterThan(2);
    // Every field the account API returns is on the page, with its value and its collection point.
    const table = await page.locator("main").textContent();
    for (const [, field] of fields) expect(table).toContain(field.value);
    expect(
      await page
        .getByRole("row", { name: /Email address/ })
        .first()
        .textContent(),
    ).toContain("when you signed up");
    await expectAccessible(page);
    expect(problemsOf(page)).toEqual([]);
  });

  it("every version of the policy is published and readable", async () => {
    const page = await run.page();
    await page.goto("/privacy");
    await page.getByRole("link", { name: "2016-11-28" }).click();
    await page.getByRole("heading", { level: 1, name: "Privacy policy, version 2016-11-28" }).waitFor();
    await page.getByText("This is an earlier version.").waitFor();
    await expectAccessible(page);
    await screenshot(page, "zones-earlier-version");
    expect(problemsOf(page)).toEqual([]);
  });

  it("what changed between two versions: the material changes first, each with its reason", async () => {
    const page = await run.page();
    await page.goto("/privacy");
    await page.getByRole("heading", { level: 2, name: "What changed between two versions" }).waitFor();
    expect(await page.getByLabel("From version", { exact: true }).inputValue()).toBe("2016-11-28");
    expect(await page.getByLabel("To version", { exact: true }).inputValue()).toBe("2019-12-31");
    await page.getByRole("button", { name: "Show the changes" }).click();
    const status = page.getByRole("status").filter({ hasText: "From 2016-11-28 to 2019-12-31" });
    await status.waitFor();
    expect(await status.textContent()).toMatch(/\d+ changes, \d+ of them material\./);
    const first = page.locator("ul.changes li").first();
    expect(await first.textContent()).toMatch(/^Material: \S+: .+\(.+\)$/);
    expect(await page.getByText("a new category of data collected").count()).toBeGreaterThan(0);
    await expectAccessible(page);
    await screenshot(page, "zones-changes");
    expect(problemsOf(page)).toEqual([]);
  });
});
