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
import { inviteStaff, signInStaff, STAFF_PASSWORD, totpCode } from "../../web/console-session.ts";
import { signUp } from "../../web/privacy-session.ts";

/**
 * ZZ Servers' console and control panel end to end in Chromium. Staff attest before they see
 * anyone (ZZ-04): a member invited by an admin sets up sign-in on the console's pages, signs the
 * attestation, finds a customer for a stated purpose and sees exactly the fields the gate allows
 * for it, with the reason for each one withheld; a session that ends under an open page signs in
 * again without losing what was typed. A customer changes their own information in the control
 * panel (the privacy center), audited as themselves (ZZ-09).
 */
const suite = HAVE_CHROMIUM ? describe : describe.skip;
if (!HAVE_CHROMIUM) console.warn(SKIP_REASON);

let web: Awaited<ReturnType<typeof buildWeb>> | undefined;
beforeAll(async () => {
  if (HAVE_CHROMIUM) web = await buildWeb();
});
afterAll(() => web?.remove());

const SYSTEM_INFORMATION = "System information about the services a customer uses";

suite(`the console of ZZ Servers in Chromium${HAVE_CHROMIUM ? "" : ` (${SKIP_REASON})`}`, () => {
  let run: WebRun;
  let admin: string;
  let customerId: string;
  beforeAll(async () => {
    run = await startWeb("zzservers", web!.dir);
    admin = await run.t.apiKey("admin");
    const made = await run.t.app.inject({
      method: "POST",
      url: "/v1/subjects",
      headers: { authorization: `Bearer ${admin}` },
      payload: {
        status: "customer",
        purpose: "essential.service.provisioning",
        collectionPoint: "web.signup",
        birthDate: "1980-04-02",
        jurisdiction: "US",
        fields: {
          first_name: "Grace",
          last_name: "Hopper",
          email: "grace@example.com",
          phone: "+1 555 0100",
        },
      },
    });
    expect(made.statusCode, made.body).toBe(201);
    customerId = made.json().id;
  });
  afterAll(async () => run?.close());

  async function findByEmail(page: Page, purpose: string, email: string) {
    await page.getByLabel("Purpose").selectOption({ label: purpose });
    await page.getByRole("textbox", { name: "Email address" }).fill(email);
    await page.getByRole("button", { name: "Find" }).click();
  }

  it("ZZ-04: an invited member sets up sign-in, attests before seeing anyone, and finds a person for a purpose: only the allowed fields, each withheld one with its reason", async () => {
    const member = await inviteStaff(run, "support", "Robin Support");
    const page = await run.page();

    // Not signed in: the console sends people to its sign-in page.
    await page.goto("/console");
    await page.getByRole("heading", { level: 1, name: "Sign in to the console" }).waitFor();
    await expectAccessible(page);
    await page.getByRole("link", { name: "Set up your sign-in" }).click();

    await page.getByRole("heading", { level: 1, name: "Set up your sign-in" }).waitFor();
    await page.getByLabel("Username").fill(member.username);
    await page.getByLabel("Set-up code").fill(member.setupCode);
    await page.getByRole("button", { name: "Continue" }).click();
    const keyText = page.locator("code.secret");
    await keyText.waitFor();
    await expectAccessible(page);
    await screenshot(page, "console-setup");
    const secret = (await keyText.textContent())!.replace(/\s/g, "");
    await page.getByLabel("New password").fill(STAFF_PASSWORD);
    await page.getByLabel("The same password again").fill(STAFF_PASSWORD);
    await page.getByLabel("Code from your authenticator app").fill(totpCode(secret));
    await page.getByRole("button", { name: "Finish and sign in" }).click();

    // The pack requires an attestation: nothing else until it is signed.
    await page.getByRole("heading", { level: 1, name: "Confidentiality attestation" }).waitFor();
    expect(await page.getByRole("navigation", { name: "Console" }).count()).toBe(0);
    await expect.poll(() => page.getByRole("heading", { name: /ZZ-04/ }).count()).toBe(1);
    await expectAccessible(page);
    await screenshot(page, "console-attestation");
    await page.getByRole("button", { name: "Sign the attestation" }).click();
    await page.getByRole("alert").filter({ hasText: "Tick the box" }).waitFor();
    await page.getByLabel(/I have read these commitments/).check();
    await page.getByRole("button", { name: "Sign the attestation" }).click();

    await page.getByRole("heading", { level: 1, name: "Find a person" }).waitFor();
    const staff = await run.t.app.inject({
      method: "GET",
      url: "/v1/staff?limit=100",
      headers: { authorization: `Bearer ${admin}` },
    });
    const row = staff.json().items.find((s: { id: string }) => s.id === member.staffId);
    expect(row.attestedAt).not.toBeNull();

    // The purpose is chosen first: the support role's purposes only.
    const offered = await page.getByLabel("Purpose").locator("option").allTextContents();
    expect(offered).toContain(SYSTEM_INFORMATION);
    expect(offered).not.toContain("News of new or upgraded products");
    await page.getByRole("button", { name: "Find" }).click();
    await page.getByText("Choose the purpose you need this person's information for.").waitFor();

    await findByEmail(page, SYSTEM_INFORMATION, "grace@example.com");
    await page.getByRole("heading", { level: 2, name: `Person ${customerId} (customer)` }).waitFor();

    // Exactly the fields the gate allows for the purpose, as the API answers the same read.
    const api = await run.t.app.inject({
      method: "GET",
      url: `/v1/subjects/${customerId}?purpose=essential.service.system_information`,
      headers: { authorization: `Bearer ${admin}` },
    });
    const decision = api.json().decision as {
      fields: string[];
      withheld: { field: string; reason: string }[];
    };
    const shownFields = await page
      .getByRole("table", { name: "Allowed fields" })
      .locator("tbody th")
      .allTextContents();
    const label = (f: string) => f.charAt(0).toUpperCase() + f.slice(1).replace(/_/g, " ");
    const present = Object.keys(api.json().fields as object).map(label);
    expect(shownFields.sort()).toEqual(present.sort());
    expect(shownFields).toEqual(expect.arrayContaining(["First name", "Last name", "Email"]));
    const allowedText = await page.getByRole("table", { name: "Allowed fields" }).textContent();
    expect(allowedText).toContain("Grace");
    expect(allowedText).toContain("grace@example.com");
    expect(allowedText).not.toContain("555");

    const withheld = page.getByRole("table", { name: "Withheld fields" });
    const withheldFields = await withheld.locator("tbody th").allTextContents();
    expect(withheldFields.sort()).toEqual(decision.withheld.map((w) => label(w.field)).sort());
    expect(withheldFields).toContain("Phone");
    const phoneRow = await withheld.getByRole("row", { name: /Phone/ }).textContent();
    expect(phoneRow).toContain("Outside purpose essential.service.system_information");
    expect(phoneRow).toMatch(/\(ZZ-\d\d\)/);
    expect(decision.fields).not.toContain("phone");
    await expectAccessible(page);
    await screenshot(page, "console-person");

    // Nothing typed into the finder reaches the address bar.
    expect(page.url()).not.toContain("grace");
    expect(problemsOf(page)).toEqual([]);
  });

  it("ZZ-09: a customer changes their own information in the control panel, audited as themselves", async () => {
    const page = await run.page();
    await signUp(page, "ada@example.com");
    await page.getByLabel("Last name").fill("King");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("status").getByText("Saved.").waitFor();
    expect(
      await page
        .getByRole("row", { name: /Last name/ })
        .first()
        .textContent(),
    ).toContain("King");
    const me = await page.evaluate(async () => (await fetch("/v1/account/me")).json());
    const subjectId = (me as { id: string }).id;
    const changes = await run.t.store.db
      .selectFrom("audit_log")
      .select(["actor", "payload"])
      .where("subject_id", "=", subjectId)
      .where("type", "=", "subject.updated")
      .execute();
    expect(changes).toHaveLength(1);
    expect(changes[0]?.actor).toBe(`customer:${subjectId}`);
    expect(JSON.stringify(changes[0]?.payload)).not.toContain("King");
    expect(problemsOf(page)).toEqual([]);
  });

  it("a purpose outside the role is not offered, and the API refuses it all the same", async () => {
    const page = await run.page();
    await signInStaff(run, page, "marketing");
    await page.goto("/console/people");
    await page.getByRole("heading", { level: 1, name: "Find a person" }).waitFor();
    const offered = await page.getByLabel("Purpose").locator("option").allTextContents();
    expect(offered).not.toContain(SYSTEM_INFORMATION);
    const refused = await page.request.get(
      `/v1/subjects/${customerId}?purpose=essential.service.system_information`,
    );
    expect(refused.status()).toBe(403);
    expect(problemsOf(page)).toEqual([]);
  });

  it("a session that ends under an open page signs in again there, keeping what was typed", async () => {
    const page = await run.page();
    const member = await signInStaff(run, page, "support");
    await page.goto("/console/people");
    await page.getByRole("heading", { level: 1, name: "Find a person" }).waitFor();
    await page.getByLabel("Purpose").selectOption({ label: SYSTEM_INFORMATION });
    await page.getByRole("textbox", { name: "Email address" }).fill("grace@example.com");

    // The session ends on the server (expired, or signed out elsewhere).
    await run.t.store.db.deleteFrom("staff_sessions").where("staff_id", "=", member.staffId).execute();
    await page.getByRole("button", { name: "Find" }).click();
    await page.getByRole("heading", { level: 2, name: "You have been signed out" }).waitFor();
    await expectAccessible(page);
    const panel = page.locator("section.again");
    await panel.getByLabel("Username").fill(member.username);
    await panel.getByLabel("Password").fill(STAFF_PASSWORD);
    // The set-up spent this step's code; the app shows the next one a step later.
    await panel.getByLabel("Code from your authenticator app").fill(totpCode(member.secret, 1));
    await panel.getByRole("button", { name: "Sign in" }).click();
    await page
      .getByRole("heading", { level: 2, name: "You have been signed out" })
      .waitFor({ state: "detached" });

    expect(await page.getByRole("textbox", { name: "Email address" }).inputValue()).toBe("grace@example.com");
    await page.getByRole("button", { name: "Find" }).click();
    await page.getByRole("heading", { level: 2, name: `Person ${customerId} (customer)` }).waitFor();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { level: 1, name: "Sign in to the console" }).waitFor();
    expect((await page.request.get("/v1/console/me")).status()).toBe(401);
    expect(problemsOf(page)).toEqual([]);
  });

  it("a wrong code is refused in words, and the console's pages carry the strict CSP", async () => {
    const page = await run.page();
    const response = await page.goto("/console/signin");
    const csp = response?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    await page.getByLabel("Username").fill("nobody-here");
    await page.getByLabel("Password").fill(STAFF_PASSWORD);
    await page.getByLabel("Code from your authenticator app").fill("123456");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: "The username, password or code is not right." })
      .waitFor();
    await expectAccessible(page);
    expect(problemsOf(page)).toEqual([]);
  });
});
