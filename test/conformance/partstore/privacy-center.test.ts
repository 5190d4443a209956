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
import { signUp } from "../../web/privacy-session.ts";

/**
 * PartStore.com's privacy center in Chromium (PS-09, Global Privacy Control): a real server, a
 * real build, a real browser, every page checked with axe-core and for CSP violations.
 */
const suite = HAVE_CHROMIUM ? describe : describe.skip;
if (!HAVE_CHROMIUM) console.warn(SKIP_REASON);

let web: Awaited<ReturnType<typeof buildWeb>> | undefined;
beforeAll(async () => {
  if (HAVE_CHROMIUM) web = await buildWeb();
});
afterAll(() => web?.remove());

suite(`the privacy center of PartStore.com in Chromium${HAVE_CHROMIUM ? "" : ` (${SKIP_REASON})`}`, () => {
  let run: WebRun;
  beforeAll(async () => {
    run = await startWeb("partstore", web!.dir);
  });
  afterAll(async () => run?.close());

  it("PS-09: catalogues stop in one click, with the clause's words beside the button", async () => {
    const page = await run.page();
    await signUp(page, "grace@example.com");
    await page.getByRole("link", { name: "My preferences" }).click();
    const offers = page.getByRole("row", { name: /Special offers/ });
    await offers.waitFor();
    expect(await offers.textContent()).not.toContain("Stopped");
    await page.getByRole("button", { name: "No catalogues" }).click();
    await page.getByText("You will get no more catalogues.").waitFor();
    expect(await offers.textContent()).toContain("Stopped");
    await expectAccessible(page);
    await screenshot(page, "partstore-preferences");
    expect(problemsOf(page)).toEqual([]);
  });

  it("a Global Privacy Control signal from the browser is shown honoured", async () => {
    const page = await run.page({ gpc: true });
    await signUp(page, "alan@example.com");
    await page.getByRole("link", { name: "My requests" }).click();
    await page.getByText("we honoured it").waitFor();
    await expectAccessible(page);
    await page.getByRole("link", { name: "My preferences" }).click();
    await page.getByText("we honoured it").waitFor();
    await screenshot(page, "partstore-gpc");
    expect(problemsOf(page)).toEqual([]);
  });
});
