import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { expectAccessible, problemsOf, screenshot, startWeb, webSuite, type WebRun } from "./browser.ts";
import { staffPage } from "./console-session.ts";

/**
 * The console's "Legal requests" pages in Chromium against Zones (the 2019-12-31 pack: Z19-05):
 * one legal staff member registers a subpoena, two others approve it, a production tried before
 * the second approval is refused in words, the production after it goes into the disclosure
 * ledger, and the half-year's transparency report counts the request. What each page shows is
 * compared with what the API and the store hold.
 */
webSuite("the console's legal requests pages in Chromium", (webDir) => {
  let run: WebRun;
  let admin: string;
  let receiver: Page;
  let second: Page;
  let third: Page;
  const people: string[] = [];

  const inject = (method: "GET" | "POST", url: string, payload?: object) =>
    run.t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${admin}` },
      ...(payload === undefined ? {} : { payload }),
    });
  const person = async (n: number): Promise<string> => {
    const res = await inject("POST", "/v1/subjects", {
      status: "customer",
      purpose: "essential.service.account",
      collectionPoint: "web.signup",
      birthDate: "1980-04-02",
      jurisdiction: "US-CA",
      fields: { first_name: "Grace", last_name: `Hopper${n}`, email: `grace.legal.${n}@example.com` },
      addresses: [
        {
          kind: "postal",
          line1: `${n} Elm Street`,
          city: "Arlington",
          region: "VA",
          postalCode: "22201",
          country: "US",
        },
      ],
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  };
  /** The ledger rows naming a person: (disclosure id, recipient, kind, ground, fields). */
  const ledgerOf = (subjectId: string) =>
    run.t.store.db
      .selectFrom("disclosure_subjects as s")
      .innerJoin("disclosures as d", "d.disclosure_id", "s.disclosure_id")
      .select(["d.disclosure_id", "d.recipient_id", "d.kind", "d.ground", "d.fields"])
      .where("s.subject_id", "=", subjectId)
      .execute();
  const stateOf = async (id: string) =>
    (await inject("GET", `/v1/legal/requests/${id}`)).json().state as string;
  /** The half-year the report counts today's requests in. */
  const now = new Date();
  const period = `${now.getUTCFullYear()}-H${now.getUTCMonth() < 6 ? 1 : 2}`;

  beforeAll(async () => {
    run = await startWeb("zones", webDir());
    admin = await run.t.apiKey("admin");
    people.push(await person(1), await person(2));
    receiver = (await staffPage(run, "legal", { displayName: "Rita Receiver" })).page;
    second = (await staffPage(run, "legal", { displayName: "Sam Second" })).page;
    third = (await staffPage(run, "legal", { displayName: "Tess Third" })).page;
  });
  afterAll(async () => {
    await run?.close();
  });

  it("only the legal role and administrators are shown the page; another role is told it is not theirs", async () => {
    const { page: desk } = await staffPage(run, "customer_service");
    await desk.goto("/console/people");
    const nav = desk.getByRole("navigation", { name: "Console" });
    await nav.getByRole("link", { name: "Find a person" }).waitFor();
    expect(await nav.getByRole("link", { name: "Legal requests" }).count()).toBe(0);
    await desk.goto("/console/legal");
    await desk.getByRole("heading", { level: 1, name: "Not for your role" }).waitFor();
    expect(await desk.getByText("This page is for the legal role and administrators.").count()).toBe(1);
    expect(await desk.getByRole("button", { name: "Approve" }).count()).toBe(0);

    await receiver.goto("/console/people");
    await receiver
      .getByRole("navigation", { name: "Console" })
      .getByRole("link", { name: "Legal requests" })
      .click();
    await receiver.getByRole("heading", { level: 1, name: "Legal requests" }).waitFor();
    await receiver.getByText("No request in this state.").waitFor();
    await expectAccessible(receiver);
    expect(problemsOf(desk)).toEqual([]);
  });

  it("Z19-05: registered by one, approved by two others, refused before the second approval, then produced into the ledger and counted in the transparency report", async () => {
    // Registering: a ground the policy does not list is refused in words and nothing is written.
    await receiver.goto("/console/legal");
    await receiver.getByRole("link", { name: "Register a request" }).click();
    await receiver.getByRole("heading", { level: 1, name: "Register a legal request" }).waitFor();
    await receiver.getByLabel("Authority", { exact: true }).fill("Arlington County Police");
    await receiver.getByLabel("Country", { exact: true }).fill("us");
    await receiver.getByLabel("Instrument", { exact: true }).selectOption("subpoena");
    await receiver.getByLabel("Reference", { exact: true }).fill("ACPD-2026-0042");
    await receiver.getByLabel("Ground", { exact: true }).fill("tax_investigation");
    await receiver.getByLabel("People (their ids)").fill(people.join("\n"));
    await receiver.getByLabel("Fields", { exact: true }).fill("first_name, email");
    await expectAccessible(receiver);
    await receiver.getByRole("button", { name: "Register the request" }).click();
    await receiver
      .getByRole("alert")
      .filter({
        hasText:
          /Nothing was registered\. Ground tax_investigation is not one of the policy's disclosure grounds/,
      })
      .waitFor();
    expect((await inject("GET", "/v1/legal/requests")).json().items).toEqual([]);

    await receiver.getByLabel("Ground", { exact: true }).fill("card_fraud");
    await receiver.getByRole("button", { name: "Register the request" }).click();
    await receiver
      .getByRole("heading", { level: 1, name: /Subpoena from Arlington County Police/ })
      .waitFor();
    const id = /\/console\/legal\/([0-9a-f-]{36})$/.exec(receiver.url())?.[1];
    expect(id).toBeDefined();
    const registered = (await inject("GET", `/v1/legal/requests/${id}`)).json();
    expect(registered).toMatchObject({
      country: "US",
      reference: "ACPD-2026-0042",
      ground: "card_fraud",
      fields: ["first_name", "email"],
      state: "received",
    });
    expect([...registered.subjects].sort()).toEqual([...people].sort());
    for (const p of people) await receiver.getByText(p, { exact: true }).waitFor();

    // The receiver does not approve their own request.
    await receiver.getByRole("button", { name: "Approve" }).click();
    await receiver
      .getByRole("alert")
      .filter({ hasText: "You received this request, so you cannot approve it" })
      .waitFor();

    // A second member finds it in the register and approves.
    await second.goto("/console/legal");
    await second.getByRole("link", { name: "ACPD-2026-0042" }).click();
    await second.getByRole("heading", { level: 2, name: "Approvals (0 of 2)" }).waitFor();
    await second.getByRole("button", { name: "Approve" }).click();
    await second.getByRole("status").filter({ hasText: "1 more approval needed" }).waitFor();
    await second.getByRole("heading", { level: 2, name: "Approvals (1 of 2)" }).waitFor();

    // Producing before the second approval: refused in words, nothing disclosed.
    await second.getByRole("button", { name: "Produce to the authority" }).click();
    await second
      .getByRole("alert")
      .filter({ hasText: "Nothing was produced: a request is produced only once 2 staff members" })
      .waitFor();
    expect(await second.getByRole("alert").textContent()).toContain("needs 1 more approval");
    await screenshot(second, "console-legal-refused");
    expect(await stateOf(id!)).toBe("received");
    for (const p of people) expect(await ledgerOf(p)).toEqual([]);

    // The third member's approval makes it approved; then it is produced.
    await third.goto(`/console/legal/${id}`);
    await third.getByRole("button", { name: "Approve" }).click();
    await third.getByRole("status").filter({ hasText: "the request has its two approvals" }).waitFor();
    await third.getByRole("heading", { level: 1, name: /\(Approved: ready to produce\)/ }).waitFor();
    expect(await stateOf(id!)).toBe("approved");
    await third.getByRole("button", { name: "Produce to the authority" }).click();
    await third.getByRole("heading", { level: 1, name: /\(Produced\)/ }).waitFor();
    await third.getByRole("heading", { level: 2, name: "What was produced" }).waitFor();
    expect(await stateOf(id!)).toBe("produced");
    for (const p of people) {
      const rows = await ledgerOf(p);
      expect(rows).toEqual([
        {
          disclosure_id: expect.any(String),
          recipient_id: "authorities",
          kind: "legal",
          ground: "card_fraud",
          fields: ["first_name", "email"],
        },
      ]);
      const row = third.getByRole("row").filter({ hasText: p });
      await expect(row.getByRole("cell").allTextContents()).resolves.toEqual([
        rows[0]!.disclosure_id,
        "Grace",
        `grace.legal.${people.indexOf(p) + 1}@example.com`,
      ]);
    }
    expect(await third.getByRole("button", { name: /Approve|Produce|Refuse|withdrawal/ }).count()).toBe(0);
    await expectAccessible(third);
    await screenshot(third, "console-legal-request");

    // The register's filter shows it among the produced.
    await third.goto("/console/legal");
    await third.getByLabel("Show").selectOption("produced");
    await third.getByRole("row").filter({ hasText: "ACPD-2026-0042" }).getByText("Produced").waitFor();
    await third.getByLabel("Show").selectOption("received");
    await third.getByText("No request in this state.").waitFor();

    // The transparency report of this half-year counts it; another half-year does not.
    await third.getByRole("link", { name: "Transparency report" }).click();
    await third.getByRole("heading", { level: 1, name: "Transparency report" }).waitFor();
    await third.getByRole("heading", { level: 2, name: period }).waitFor();
    const byInstrument = third.getByRole("table", { name: `By instrument, ${period}` });
    await expect(
      byInstrument.getByRole("row").filter({ hasText: "Subpoena" }).getByRole("cell").allTextContents(),
    ).resolves.toEqual(["1", "2", "1", "100%"]);
    await expect(
      third
        .getByRole("table", { name: `By country, ${period}` })
        .getByRole("row")
        .filter({ hasText: "US" })
        .getByRole("cell")
        .allTextContents(),
    ).resolves.toEqual(["1", "2", "1", "100%"]);
    await expectAccessible(third);
    await screenshot(third, "console-legal-transparency");

    await third.getByLabel("Year", { exact: true }).fill("2019");
    await third.getByLabel("Half-year").selectOption("1");
    await third.getByRole("button", { name: "Show the report" }).click();
    await third.getByRole("status").filter({ hasText: "No request was received in 2019-H1." }).waitFor();

    for (const page of [receiver, second, third]) expect(problemsOf(page)).toEqual([]);
  });
  it("a withdrawal is recorded with its note, and the request takes no more moves", async () => {
    const legalKey = await run.t.apiKey("legal");
    const made = await run.t.app.inject({
      method: "POST",
      url: "/v1/legal/requests",
      headers: { authorization: `Bearer ${legalKey}` },
      payload: {
        authority: "Bundeskriminalamt",
        country: "DE",
        instrument: "court_order",
        reference: "BKA 7/2026",
        ground: "card_fraud",
        subjects: [people[0]],
        fields: ["email"],
      },
    });
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json<{ id: string }>().id;
    await second.goto("/console/legal");
    await second.getByLabel("Show").selectOption("received");
    await second.getByRole("link", { name: "BKA 7/2026" }).click();
    await second.getByRole("heading", { level: 1, name: /Court order from Bundeskriminalamt/ }).waitFor();
    await second
      .getByLabel("Note for a refusal or a withdrawal (optional)")
      .fill("withdrawn by letter of 1 December");
    await second.getByRole("button", { name: "Record its withdrawal" }).click();
    await second.getByRole("status").filter({ hasText: "Withdrawal recorded" }).waitFor();
    await second
      .getByText("This request is withdrawn by the authority: nothing more can be done to it.")
      .waitFor();
    expect(await second.getByRole("button", { name: /Approve|Produce|Refuse|withdrawal/ }).count()).toBe(0);
    expect((await inject("GET", `/v1/legal/requests/${id}`)).json()).toMatchObject({
      state: "withdrawn",
      note: "withdrawn by letter of 1 December",
    });
    await second.getByText("withdrawn by letter of 1 December").waitFor();
    expect(problemsOf(second)).toEqual([]);
  });
});
