import type { Page } from "playwright-core";

/** Customers at the privacy center in browser tests: signing up through the page itself. */
export const PASSWORD = "correct horse battery staple";
export const NEW_PASSWORD = "another long passphrase for ada";

/** Signs up through /signup as Ada Lovelace with `email`, ticking the choices labelled in `tick`. */
export async function signUp(
  page: Page,
  email: string,
  options: { tick?: string[]; firstName?: string; lastName?: string } = {},
): Promise<void> {
  await page.goto("/signup");
  await page.getByLabel("First name").fill(options.firstName ?? "Ada");
  await page.getByLabel("Last name").fill(options.lastName ?? "Lovelace");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Date of birth").fill("1990-12-10");
  for (const label of options.tick ?? []) await page.getByLabel(label).check();
  await page.getByRole("button", { name: "Create my account" }).click();
  await page.getByRole("heading", { level: 1, name: "My information" }).waitFor();
}
