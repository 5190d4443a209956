import { readFileSync } from "node:fs";
import path from "node:path";
import { POLICIES_DIR } from "../harness/app.ts";

/** A shipped pack's text. */
export function shippedPack(company: string, version: string): string {
  return readFileSync(path.join(POLICIES_DIR, company, `${version}.yaml`), "utf8");
}

/** `text` with each exact piece replaced (fails loudly when one is not there). */
export function edit(text: string, ...pairs: readonly (readonly [string, string])[]): string {
  let out = text;
  for (const [from, to] of pairs) {
    if (!out.includes(from)) throw new Error(`pack has no ${JSON.stringify(from)}`);
    out = out.replace(from, to);
  }
  return out;
}

/** The partstore pack as a new version taking effect at `effectiveFrom`. */
export function partstoreVersion(version: string, effectiveFrom: string, lastUpdated = version): string {
  return edit(
    shippedPack("partstore", "2009-09-27"),
    ['version: "2009-09-27"', `version: "${version}"`],
    ['effective_from: "2009-09-27T00:00:00Z"', `effective_from: "${effectiveFrom}"`],
    ['last_updated: "2009-09-27"', `last_updated: "${lastUpdated}"`],
  );
}

/** Wording only: clearer text for PS-02, which `pledge policy diff` does not count as material. */
export function wordingOnly(text: string): string {
  return edit(text, [
    "Everything we store sits on a well-protected server",
    "Everything we keep sits on a well-protected server",
  ]);
}

/** A material change: marketing may now use the customer account (a purpose using more categories). */
export function marketingUsesAccount(text: string): string {
  return edit(text, [
    "    categories: [user.name, user.contact.email, user.contact.address.postal, user.behavior.purchase_history]\n    channels: [email, postal, catalogue]",
    "    categories:\n      - user.name\n      - user.contact.email\n      - user.contact.address.postal\n      - user.behavior.purchase_history\n      - user.unique_id\n    channels: [email, postal, catalogue]",
  ]);
}
