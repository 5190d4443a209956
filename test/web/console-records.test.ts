import { createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkpoint } from "../../src/audit/checkpoint.ts";
import { loadOrCreateSigner } from "../../src/audit/keys.ts";
import { POLICIES_DIR } from "../harness/app.ts";
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
import { signInStaff } from "./console-session.ts";

/**
 * The console's record pages in Chromium against Zones (two policy versions): the audit log with
 * the chain's state and the last checkpoint, the disclosures and their reports, and the policy's
 * versions, changes and publishing. Records are made through the API with an admin key; what the
 * pages show is compared with what the API answers.
 */
const suite = HAVE_CHROMIUM ? describe : describe.skip;
if (!HAVE_CHROMIUM) console.warn(SKIP_REASON);

const ACCOUNT = "essential.service.account";
const FULFILMENT = "essential.service.order_fulfilment";

let web: Awaited<ReturnType<typeof buildWeb>> | undefined;
beforeAll(async () => {
  if (HAVE_CHROMIUM) web = await buildWeb();
});
afterAll(() => web?.remove());

suite(`the console's records pages for Zones in Chromium${HAVE_CHROMIUM ? "" : ` (${SKIP_REASON})`}`, () => {
  let run: WebRun;
  let page: Page;
  let keyDir: string;
  let seeder: { staffId: string; key: string };
  let subjectId: string;
  let cp: Awaited<ReturnType<typeof checkpoint>>;

  const get = async <T>(url: string): Promise<T> => {
    const res = await run.t.app.inject({
      method: "GET",
      url,
      headers: { authorization: `Bearer ${seeder.key}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<T>();
  };
  const send = async (method: "POST" | "PUT", url: string, payload: object, status: number) => {
    const res = await run.t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${seeder.key}` },
      payload,
    });
    expect(res.statusCode, res.body).toBe(status);
    return res.json<{ id: string }>();
  };

  beforeAll(async () => {
    keyDir = mkdtempSync(path.join(tmpdir(), "pledge-console-records-"));
    const { signer } = loadOrCreateSigner(path.join(keyDir, "audit-signing.key"));
    run = await startWeb("zones", web!.dir, { auditPublicKey: createPublicKey(signer.privateKey) });
    seeder = await run.t.staff("admin");
    subjectId = (
      await send(
        "POST",
        "/v1/subjects",
        {
          status: "customer",
          purpose: ACCOUNT,
          collectionPoint: "web.signup",
          birthDate: "1980-04-02",
          jurisdiction: "US-CA",
          fields: { first_name: "Ada", last_name: "Lovelace", email: "ada.records@example.com" },
          addresses: [
            {
              kind: "postal",
              line1: "1 Main St",
              city: "Springfield",
              region: "IL",
              postalCode: "62701",
              country: "US",
            },
          ],
        },
        201,
      )
    ).id;
    await send(
      "PUT",
      "/v1/recipients/subcontractors",
      {
        legalName: "Subcontractors Inc.",
        address: "1 Market St, San Francisco, CA 94105, US",
        contractRef: "C-SUB-1",
        contractSignedOn: "2020-01-01",
      },
      200,
    );
    for (const fields of [["first_name"], ["first_name", "postal_address"]])
      await send(
        "POST",
        `/v1/subjects/${subjectId}/disclosures`,
        { recipient: "subcontractors", purpose: FULFILMENT, fields },
        201,
      );
    cp = await checkpoint(run.t.store.db, signer, new Date(), "privacy.example.test/audit");
    page = await run.page();
    await signInStaff(run, page, "admin");
  });
  afterAll(async () => {
    await run?.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it("the audit log: the chain verified with the last signed checkpoint, and the person's events by id", async () => {
    await page.goto("/console/audit");
    await page.getByRole("heading", { level: 1, name: "Audit log" }).waitFor();
    const state = page.locator(".audit-chain [role=status]");
    await state.waitFor();
    const chain = await get<{ verified: boolean; checkpoint: { seq: number; keyId: string } }>(
      "/v1/audit/chain",
    );
    expect(chain.verified).toBe(true);
    expect(chain.checkpoint).toMatchObject({ seq: cp.seq, keyId: cp.keyId });
    expect(await state.textContent()).toMatch(/^Verified: all \d+ rows hold, up to row \d+\.$/);
    const checkpointPanel = await page.locator("dl.checkpoint").textContent();
    expect(checkpointPanel).toContain(`Row${cp.seq}`);
    expect(checkpointPanel).toContain(cp.keyId);
    expect(await page.getByLabel("The signed note").textContent()).toBe(cp.note);

    await page.getByLabel("Person's id").fill(subjectId);
    await page.getByRole("button", { name: "Show events" }).click();
    await page
      .getByRole("status")
      .filter({ hasText: /events?, oldest first|No events/ })
      .waitFor();
    const shown = (await page.locator(".audit-table tbody th").allTextContents()).map(Number);
    const seqs = (
      await get<{ items: { seq: number; type: string; subjectId: string }[] }>(
        `/v1/audit/events?subjectId=${subjectId}&limit=200`,
      )
    ).items;
    expect(shown.length).toBeGreaterThanOrEqual(3); // created, and two disclosures
    // The API's answer holds the page's own read (an audit.read event) besides.
    expect(seqs.filter((e) => e.seq <= Math.max(...shown)).map((e) => e.seq)).toEqual(shown);
    expect(seqs.filter((e) => e.seq > Math.max(...shown)).map((e) => e.type)).toEqual(["audit.read"]);
    expect(await page.locator(".audit-table tbody tr").first().textContent()).toContain(subjectId);
    await expectAccessible(page);
    await screenshot(page, "console-audit");

    // By the staff member who seeded the records: every row is theirs.
    await page.getByRole("button", { name: "Clear" }).click();
    await page.getByLabel("Staff member's id").fill(seeder.staffId);
    await page.getByLabel("Event type").fill("disclosure.recorded");
    const byStaff = await get<{ items: { seq: number }[] }>(
      `/v1/audit/events?actor=staff:${seeder.staffId}&type=disclosure.recorded`,
    );
    expect(byStaff.items).toHaveLength(2);
    await page.getByRole("button", { name: "Show events" }).click();
    await page.getByRole("status").filter({ hasText: "2 events, oldest first." }).waitFor();
    const actors = await page.locator(".audit-table tbody td:nth-child(4)").allTextContents();
    expect(actors).toEqual([`staff:${seeder.staffId}`, `staff:${seeder.staffId}`]);
    const shownSeqs = (await page.locator(".audit-table tbody th").allTextContents()).map(Number);
    expect(shownSeqs).toEqual(byStaff.items.map((e) => e.seq));
    expect(problemsOf(page)).toEqual([]);
  });

  it("disclosures: the recipients with their contracts, the year's report and its chart matching the API", async () => {
    await page.goto("/console/disclosures");
    await page.getByRole("heading", { level: 1, name: "Disclosures" }).waitFor();
    const recipients = await get<{ items: { id: string; name: string }[] }>("/v1/recipients");
    const rows = page.locator("table.recipients tbody tr");
    await rows.first().waitFor();
    expect(await rows.count()).toBe(recipients.items.length);
    const sp = page.getByRole("row", { name: /subcontractors/ });
    expect(await sp.textContent()).toContain("Contract C-SUB-1, signed 2020-01-01");

    const year = new Date().getFullYear();
    await page.getByLabel("Purpose").selectOption(ACCOUNT);
    await page.getByRole("button", { name: "Show the disclosures report" }).click();
    await page
      .getByRole("status")
      .filter({ hasText: `${year}:` })
      .first()
      .waitFor();
    const report = await get<{
      items: { recipient: string; category: string; disclosures: number; people: number }[];
    }>(
      `/v1/reports/disclosures?from=${year}-01-01T00:00:00Z&to=${year + 1}-01-01T00:00:00Z&purpose=${ACCOUNT}`,
    );
    expect(report.items.length).toBeGreaterThan(0);
    const lines = await page
      .locator("table.report-lines tbody tr")
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? "")));
    expect(lines).toEqual(
      report.items.map((l) => [
        l.recipient,
        expect.any(String),
        l.category,
        String(l.disclosures),
        String(l.people),
      ]),
    );
    // The chart's table: one row per recipient, one column per category.
    const categories = await page.locator("table.chart-table thead th").allTextContents();
    const chartRows = await page
      .locator("table.chart-table tbody tr")
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? "")));
    for (const line of report.items) {
      const row = chartRows.find((r) => r[0] === line.recipient);
      expect(row?.[categories.indexOf(line.category)]).toBe(String(line.disclosures));
    }
    expect(await page.locator(".chart canvas").count()).toBe(1);

    await page.getByLabel("Person's id").fill(subjectId);
    await page.getByRole("button", { name: "Show the Shine the Light report" }).click();
    const shine = await get<{ categories: string[] }>(
      `/v1/reports/shine-the-light?subjectId=${subjectId}&year=${year}&purpose=${ACCOUNT}`,
    );
    const status = page.locator(".shine-report [role=status]");
    await status.waitFor();
    expect(await status.textContent()).toBe(
      shine.categories.length === 0
        ? `${year}: nothing about this person was disclosed for direct marketing.`
        : `${year}: categories disclosed: ${shine.categories.join(", ")}.`,
    );
    expect(page.url()).not.toContain(subjectId);
    await expectAccessible(page);
    await screenshot(page, "console-disclosures");
    expect(problemsOf(page)).toEqual([]);
  });

  it("policy: the versions, one read, the changes with material ones flagged, and publishing refused then done", async () => {
    await page.goto("/console/policy");
    await page.getByRole("heading", { level: 1, name: "Policy" }).waitFor();
    await page.getByRole("row", { name: /2016-11-28/ }).waitFor();
    expect(await page.getByRole("row", { name: /2019-12-31/ }).textContent()).toContain("In force");
    await page.getByRole("button", { name: "Read version 2016-11-28" }).click();
    await page.getByRole("heading", { level: 2, name: "Version 2016-11-28" }).waitFor();
    await page.waitForFunction(() => document.activeElement?.id === "shown-version");
    expect(await page.locator(".policy-text .clause").count()).toBeGreaterThan(0);

    await page.getByRole("button", { name: "Show the changes" }).click();
    const changes = await get<{ changes: { material: boolean }[] }>(
      "/v1/policy/changes?from=2016-11-28&to=2019-12-31",
    );
    const material = changes.changes.filter((c) => c.material).length;
    expect(material).toBeGreaterThan(0);
    await page
      .getByRole("status")
      .filter({
        hasText: `From 2016-11-28 to 2019-12-31: ${changes.changes.length} changes, ${material} of them material.`,
      })
      .waitFor();
    expect(await page.locator("ul.changes li.material").count()).toBe(material);
    expect(await page.locator("ul.changes li").first().textContent()).toMatch(/^Material: /);
    await expectAccessible(page);

    // A pack that is not one: refused in words, with the lines at fault.
    await page.getByLabel("Pack (YAML)").fill("company: zones\nversion: broken\n");
    await page.getByRole("button", { name: "Publish this version" }).click();
    const refused = page.getByRole("alert").filter({ hasText: "does not load as a policy pack" });
    await refused.waitFor();
    expect(await refused.locator("li").count()).toBeGreaterThan(0);

    // A version before the one in force: backdated.
    const pack = readFileSync(path.join(POLICIES_DIR, "zones/2019-12-31.yaml"), "utf8");
    const dated = (version: string) =>
      pack
        .replace(/^version: .*$/m, `version: "${version}"`)
        .replace(/^effective_from: .*$/m, `effective_from: "${version}T00:00:00Z"`)
        .replace(/^last_updated: .*$/m, `last_updated: "${version}"`);
    await page.getByLabel("Pack (YAML)").fill(dated("2018-06-01"));
    await page.getByRole("button", { name: "Publish this version" }).click();
    await page.getByRole("alert").filter({ hasText: "before the version in force now" }).waitFor();
    await expectAccessible(page);
    await screenshot(page, "console-policy");

    // A valid pack from a file, taking effect later: published.
    await page.getByLabel("Pack file (YAML)").setInputFiles({
      name: "2099-01-01.yaml",
      mimeType: "application/yaml",
      buffer: Buffer.from(dated("2099-01-01")),
    });
    await page.waitForFunction(() =>
      (document.getElementById("pack-yaml") as HTMLTextAreaElement | null)?.value.includes("2099-01-01"),
    );
    await page.getByRole("button", { name: "Publish this version" }).click();
    await page.getByRole("status").filter({ hasText: "Version 2099-01-01 is published" }).waitFor();
    const stored = await run.t.store.db
      .selectFrom("policy_versions")
      .select("version")
      .where("version", "=", "2099-01-01")
      .execute();
    expect(stored).toHaveLength(1);
    expect(problemsOf(page)).toEqual([]);
  });

  it("another role sees the policy without publishing, and neither the audit log's link nor the log", async () => {
    const other = await run.page();
    await signInStaff(run, other, "customer_service");
    await other.goto("/console/policy");
    await other.getByRole("heading", { level: 1, name: "Policy" }).waitFor();
    await other.getByRole("row", { name: /2019-12-31/ }).waitFor();
    expect(await other.getByRole("heading", { name: "Publish a new version" }).count()).toBe(0);
    expect(await other.getByRole("link", { name: "Audit log" }).count()).toBe(0);
    await other.goto("/console/audit");
    await other.getByRole("heading", { level: 1, name: "Not for your role" }).waitFor();
    await expectAccessible(other);
    expect(problemsOf(other)).toEqual([]);
  });
});
