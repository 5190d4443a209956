import { readFileSync } from "node:fs";
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
} from "./browser.ts";
import { signInStaff, STAFF_PASSWORD, totpCode } from "./console-session.ts";

/**
 * The console's lists in Chromium: the Do Not Send list (check, add, remove, import, export) and
 * staff and keys (add, invite, set-up through the page in another browser, keys made and
 * revoked), each view checked with axe-core and for CSP violations. Waits are on what the page
 * shows, never on time.
 */
const suite = HAVE_CHROMIUM ? describe : describe.skip;
if (!HAVE_CHROMIUM) console.warn(SKIP_REASON);

let web: Awaited<ReturnType<typeof buildWeb>> | undefined;
beforeAll(async () => {
  if (HAVE_CHROMIUM) web = await buildWeb();
});
afterAll(() => web?.remove());

async function showAddress(page: Page, email: string): Promise<void> {
  await page.getByLabel("Email address").fill(email);
  await page.getByRole("button", { name: "Check", exact: true }).click();
}

suite(`the console's lists for zMailCloud in Chromium${HAVE_CHROMIUM ? "" : ` (${SKIP_REASON})`}`, () => {
  let run: WebRun;
  let admin: Page;
  beforeAll(async () => {
    run = await startWeb("zmailcloud", web!.dir);
    admin = await run.page();
    await signInStaff(run, admin, "admin", { displayName: "Ada Admin" });
  });
  afterAll(async () => run?.close());

  it("PS-05: an address is added, checked, and removed with a reason; others are not listed", async () => {
    await admin.goto("/console/suppression");
    await admin.getByRole("heading", { level: 1, name: "Do Not Send" }).waitFor();
    expect(await admin.getByLabel("Channel", { exact: true }).inputValue()).toBe("email");

    await admin.getByLabel("Email address").fill("ada@example.com");
    await admin.getByLabel("Why it is added").selectOption({ label: "Unsubscribed" });
    await admin.getByRole("button", { name: "Add to the list" }).click();
    await admin.getByText("Added: this address gets no marketing by Email").waitFor();
    // The address never reaches a URL.
    expect(admin.url()).not.toContain("ada");

    await showAddress(admin, "ADA@example.com");
    await admin.getByText("Listed: this address is on the Do Not Send list for Email").waitFor();
    await showAddress(admin, "bob@example.com");
    await admin.getByText("Not listed: this address is not on the Do Not Send list").waitFor();
    await expectAccessible(admin);

    await admin.getByLabel("Email address").fill("ada@example.com");
    await admin.getByRole("button", { name: "Remove from the list" }).click();
    await admin.getByText("Choose why the address is taken off.").waitFor();
    await admin.getByLabel("Why it is taken off").selectOption({ label: "Added in error" });
    await admin.getByRole("button", { name: "Remove from the list" }).click();
    await admin.getByText("Removed: the address is off the list").waitFor();
    await showAddress(admin, "ada@example.com");
    await admin.getByText("Not listed: this address is not on the Do Not Send list").waitFor();

    // A postal address is sent as its parts; the list matches it however it is written.
    await admin.getByLabel("Channel", { exact: true }).selectOption({ label: "Catalogues" });
    const fill = async (line1: string) => {
      await admin.getByLabel("Address line 1").fill(line1);
      await admin.getByLabel("Town or city").fill("Springfield");
      await admin.getByLabel("ZIP or postal code").fill("62704");
      await admin.getByLabel("Country (two letters, e.g. US)").fill("US");
    };
    await fill("12 Elm Street");
    await admin.getByLabel("Why it is added").selectOption({ label: "The person asked" });
    await admin.getByRole("button", { name: "Add to the list" }).click();
    await admin.getByText("Added: this address gets no marketing by Catalogues").waitFor();
    await fill("12  ELM STREET");
    await admin.getByRole("button", { name: "Check", exact: true }).click();
    await admin.getByText("Listed: this address is on the Do Not Send list for Catalogues").waitFor();
    await expectAccessible(admin);
    expect(problemsOf(admin)).toEqual([]);
  });

  it("an import with a bad row adds nothing and names the row; a good one adds; the export downloads the list", async () => {
    await admin.goto("/console/suppression");
    await admin.getByRole("heading", { level: 2, name: "Import a file" }).waitFor();
    const file = admin.getByLabel("File to import (.csv or .ndjson)");
    await admin.getByLabel("Channel of rows that name none").selectOption({ label: "Email" });
    await file.setInputFiles({
      name: "bounces.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("address\ncarol@example.com\nnot an address\n"),
    });
    await admin.getByRole("button", { name: "Import", exact: true }).click();
    const refused = admin.getByRole("table", { name: "Rows refused" });
    await refused.waitFor();
    expect(await refused.getByRole("row").count()).toBe(2);
    expect(await refused.getByRole("rowheader").textContent()).toBe("3");
    await admin.getByText("Nothing was imported: 1 row needs correcting").waitFor();
    await expectAccessible(admin);
    await screenshot(admin, "console-suppression");

    // All or nothing: the good row of the refused file is not on the list.
    await showAddress(admin, "carol@example.com");
    await admin.getByText("Not listed: this address is not on the Do Not Send list").waitFor();

    await file.setInputFiles({
      name: "bounces.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("address,reason\ncarol@example.com,bounce\ndave@example.com,\n"),
    });
    await admin.getByRole("button", { name: "Import", exact: true }).click();
    await admin.getByText("Imported 2 rows: 2 added, 0 already on the list.").waitFor();

    await admin.getByLabel("Channel to export").selectOption({ label: "Email" });
    const [download] = await Promise.all([
      admin.waitForEvent("download"),
      admin.getByRole("button", { name: "Download the list (CSV)" }).click(),
    ]);
    expect(download.url()).toMatch(/^blob:/);
    expect(download.suggestedFilename()).toMatch(/^do-not-send-email-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = readFileSync(await download.path(), "utf8")
      .trim()
      .split("\r\n");
    expect(lines[0]).toBe("channel,address_index,reason,source,created_at,created_by");
    expect(
      lines
        .slice(1)
        .map((l) => l.split(",")[2])
        .sort(),
    ).toEqual(["bounce", "import"]);
    expect(lines.every((l) => !l.includes("@"))).toBe(true);
    await admin.getByText("Downloaded 2 entries.").waitFor();
    await expectAccessible(admin);
    expect(problemsOf(admin)).toEqual([]);
  });

  it("an admin adds a member and invites them; the member sets up in the console; keys are made and revoked", async () => {
    await admin.goto("/console/staff");
    await admin.getByRole("heading", { level: 1, name: "Staff and keys" }).waitFor();
    await admin.getByRole("cell", { name: "not invited" }).first().waitFor({ state: "attached" });
    await admin.getByLabel("Name", { exact: true }).fill("Grace Hopper");
    await admin.getByLabel("Role").selectOption({ label: "Help desk" });
    await admin.getByRole("button", { name: "Add the member" }).click();
    await admin.getByText("Added Grace Hopper. Invite them to the console below.").waitFor();
    await admin.getByRole("heading", { level: 2, name: "Grace Hopper (Help desk)" }).waitFor();
    const grace = admin.getByRole("row", { name: /Grace Hopper/ });
    await grace.getByRole("cell", { name: "not invited" }).waitFor();

    await admin.getByLabel("Username").fill("grace");
    await admin.getByRole("button", { name: "Invite to the console" }).click();
    const code = admin.getByTestId("setup-code");
    await code.waitFor();
    const setupCode = (await code.textContent())!.trim();
    expect(setupCode.length).toBeGreaterThan(8);
    await admin.getByText("It is shown this once, and works until").waitFor();
    expect(await admin.getByText(/open \/console\/setup/).count()).toBe(1);
    await grace.getByRole("cell", { name: "invited, not set up yet" }).waitFor();
    await expectAccessible(admin);

    // The member, in a browser of their own.
    const member = await run.page();
    await member.goto("/console/setup");
    await member.getByLabel("Username").fill("grace");
    await member.getByLabel("Set-up code").fill(setupCode);
    await member.getByRole("button", { name: "Continue" }).click();
    const key = member.locator("code.secret");
    await key.waitFor();
    const secret = (await key.textContent())!.replace(/\s/g, "");
    await member.getByLabel("New password").fill(STAFF_PASSWORD);
    await member.getByLabel("The same password again").fill(STAFF_PASSWORD);
    await member.getByLabel("Code from your authenticator app").fill(totpCode(secret));
    await member.getByRole("button", { name: "Finish and sign in" }).click();
    await member.getByRole("heading", { level: 1, name: "Find a person" }).waitFor();
    // A help desk member sees the Do Not Send list, not staff and keys.
    const nav = member.getByRole("navigation", { name: "Console" });
    await nav.getByRole("link", { name: "Do Not Send" }).waitFor();
    expect(await nav.getByRole("link", { name: "Staff and keys" }).count()).toBe(0);
    expect(problemsOf(member)).toEqual([]);

    await admin.reload();
    await admin
      .getByRole("row", { name: /Grace Hopper/ })
      .getByRole("cell", { name: "can sign in" })
      .waitFor();

    await admin.getByRole("button", { name: "Grace Hopper" }).click();
    await admin.getByText("Grace Hopper has no API keys.").waitFor();
    await admin.getByRole("button", { name: "Make an API key" }).click();
    const made = admin.getByTestId("new-key");
    await made.waitFor();
    const apiKey = (await made.textContent())!.trim();
    const asGrace = () =>
      run.t.app.inject({
        method: "GET",
        url: "/v1/console/me",
        headers: { authorization: `Bearer ${apiKey}` },
      });
    expect((await asGrace()).statusCode).toBe(200);
    const prefix = apiKey.split("_")[1]!;
    const row = admin.getByRole("row", { name: new RegExp(`pk_${prefix}_`) });
    await row.getByText("in use").waitFor();
    await expectAccessible(admin);
    await screenshot(admin, "console-staff");

    await row.getByRole("button", { name: `Revoke key pk_${prefix}_…` }).click();
    await row.getByText("Programs using this key stop working at once.").waitFor();
    const focused = () => admin.evaluate(() => document.activeElement?.textContent ?? "");
    await expect.poll(focused).toBe(`Yes, revoke pk_${prefix}_…`);
    await row.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(focused).toBe("Revoke");
    // With the keyboard: Enter asks, Enter on "Yes, revoke" revokes.
    await admin.keyboard.press("Enter");
    await expect.poll(focused).toBe(`Yes, revoke pk_${prefix}_…`);
    await admin.keyboard.press("Enter");
    await row.getByText(/^revoked /).waitFor();
    expect((await asGrace()).statusCode).toBe(401);
    await expectAccessible(admin);
    expect(problemsOf(admin)).toEqual([]);
  });

  it("staff of a pack role do not see staff and keys, and may not take addresses off the list", async () => {
    const page = await run.page();
    await signInStaff(run, page, "marketing");
    await page.goto("/console/suppression");
    await page.getByRole("heading", { level: 1, name: "Do Not Send" }).waitFor();
    const nav = page.getByRole("navigation", { name: "Console" });
    await nav.getByRole("link", { name: "Find a person" }).waitFor();
    expect(await nav.getByRole("link", { name: "Staff and keys" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Remove from the list" }).count()).toBe(0);
    expect(await page.getByRole("heading", { name: "Import a file" }).count()).toBe(0);
    await showAddress(page, "dave@example.com");
    await page.getByText("Listed: this address is on the Do Not Send list for Email").waitFor();
    await expectAccessible(page);

    await page.goto("/console/staff");
    await page.getByRole("heading", { level: 1, name: "Not for your role" }).waitFor();
    expect(problemsOf(page)).toEqual([]);
  });
});
