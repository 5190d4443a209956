import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildWeb,
  expectAccessible,
  HAVE_CHROMIUM,
  problemsOf,
  SKIP_REASON,
  startWeb,
  type WebRun,
} from "../../web/browser.ts";
import { signUp } from "../../web/privacy-session.ts";

/**
 * Zones under its 2016 policy, in Chromium: the server's clock is in 2017, so the 2016-11-28
 * version is in force, and a customer sees and updates their information on the privacy center's
 * pages (Z16-17), each change going through the account API.
 */
const suite = HAVE_CHROMIUM ? describe : describe.skip;
if (!HAVE_CHROMIUM) console.warn(SKIP_REASON);

let web: Awaited<ReturnType<typeof buildWeb>> | undefined;
beforeAll(async () => {
  if (HAVE_CHROMIUM) web = await buildWeb();
});

suite(`the privacy center of Zones in 2017, in Chromium${HAVE_CHROMIUM ? "" : ` (${SKIP_REASON})`}`, () => {
  let run: WebRun;
  beforeAll(async () => {
    run = await startWeb("zones", web!.dir, { clock: () => new Date("2017-06-01T12:00:00Z") });
  });
  afterAll(async () => run?.close());

  it("Z16-17: customers see and update their own information online", async () => {
    const page = await run.page();
    await signUp(page, "grace@example.com", { firstName: "Grace", lastName: "Hopper" });
    const row = (name: RegExp) => page.getByRole("row", { name }).first();
    expect(await row(/Email address/).textContent()).toContain("grace@example.com");
    expect(await row(/Last name/).textContent()).toContain("Hopper");
    expect(await page.getByText("version 2016-11-28").count()).toBeGreaterThan(0);

    await page.getByLabel("Last name").fill("Murray Hopper");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("status").getByText("Saved.").waitFor();
    expect(await row(/Last name/).textContent()).toContain("Murray Hopper");

    // The change is the record's, as the account API reads it back under the 2016 policy.
    const me = await page.evaluate(async () => (await fetch("/v1/account/me")).json());
    expect(me).toMatchObject({
      fields: { last_name: { value: "Murray Hopper", policyVersion: "2016-11-28" } },
      decision: { policy: { company: "zones", version: "2016-11-28" } },
    });
    await expectAccessible(page);
    expect(problemsOf(page)).toEqual([]);
  });
});
