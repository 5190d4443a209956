import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { as, signedFrom, signupBody } from "../customers/helpers.ts";
import { expectAccessible, problemsOf, startWeb, webSuite, type WebRun } from "./browser.ts";
import { staffPage } from "./console-session.ts";

/**
 * The console's "Fraud holds" page in Chromium against zMailCloud (ZM-09): customers held on their
 * first order are listed with their reasons, and the billing desk releases or rejects them; what
 * the page did is compared with what the API answers.
 */
webSuite("the console's fraud holds page in Chromium", (webDir) => {
  let run: WebRun;
  let page: Page;
  let admin: string;
  const holds: string[] = [];

  /** A customer with a disposable address orders a service: held on the first order. */
  const heldCustomer = async (n: number): Promise<string> => {
    const signup = await run.t.app.inject({
      method: "POST",
      url: "/v1/account/signup",
      payload: signupBody({ email: `held-${n}@mailinator.com` }),
      remoteAddress: `100.65.${n}.1`,
    });
    expect(signup.statusCode, signup.body).toBe(201);
    const c = signedFrom(signup);
    await run.t.app.inject({
      method: "POST",
      url: "/v1/account/me/addresses",
      headers: as(c),
      payload: {
        kind: "billing",
        address: { line1: "1 Main St", city: "Austin", region: "TX", postalCode: "73301", country: "US" },
      },
    });
    const ordered = await run.t.app.inject({
      method: "POST",
      url: "/v1/account/me/services",
      headers: as(c),
      payload: { plan: "hosted-exchange-basic" },
      remoteAddress: `100.66.${n}.1`,
    });
    expect(ordered.statusCode, ordered.body).toBe(201);
    return ordered.json().fraudHold.holdId as string;
  };
  const statusOf = async (holdId: string) =>
    (
      await run.t.app.inject({
        method: "GET",
        url: `/v1/fraud/holds/${holdId}`,
        headers: { authorization: `Bearer ${admin}` },
      })
    ).json().status as string;

  beforeAll(async () => {
    run = await startWeb("zmailcloud", webDir());
    admin = await run.t.apiKey("admin");
    holds.push(await heldCustomer(1), await heldCustomer(2));
    ({ page } = await staffPage(run, "billing"));
  });
  afterAll(async () => {
    await run?.close();
  });

  it("ZM-09: the held customers are listed with their reasons; the billing desk releases one and rejects another", async () => {
    await page.goto("/console/fraud-holds");
    await page.getByRole("heading", { level: 1, name: "Fraud holds" }).waitFor();
    const row = (holdId: string) => page.getByRole("row").filter({ hasText: holdId.slice(0, 8) });
    await row(holds[0]!).waitFor();
    await expect(
      row(holds[0]!)
        .getByText(/disposable \(throw-away\) mail domain/)
        .count(),
    ).resolves.toBe(1);
    await expectAccessible(page);

    await row(holds[0]!).getByRole("button", { name: "Release" }).click();
    await page.getByRole("status").filter({ hasText: "released (verified)" }).waitFor();
    expect(await statusOf(holds[0]!)).toBe("released");
    await row(holds[0]!).waitFor({ state: "detached" });

    await row(holds[1]!).getByRole("button", { name: "Reject" }).click();
    await page.getByRole("status").filter({ hasText: "rejected" }).waitFor();
    expect(await statusOf(holds[1]!)).toBe("rejected");

    await page.getByLabel("Show").selectOption("released");
    await row(holds[0]!).waitFor();
    expect(await row(holds[0]!).getByRole("button").count()).toBe(0);
    expect(problemsOf(page)).toEqual([]);
  });

  it("is listed for the billing desk and admins only; others opening it are told it is not for them", async () => {
    const { page: other } = await staffPage(run, "support");
    await other.goto("/console/fraud-holds");
    await other.getByRole("heading", { level: 1, name: "Not for your role" }).waitFor();
    const nav = other.getByRole("navigation", { name: "Console" });
    await nav.getByRole("link", { name: "Find a person" }).waitFor();
    expect(await nav.getByRole("link", { name: "Fraud holds" }).count()).toBe(0);
    await other.context().close();
  });
});
