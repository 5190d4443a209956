import { describe, expect, it } from "vitest";
import { assess, domainOf, mailboxOf, networkOf, type CheckInput } from "../../src/modules/fraud/fraud.ts";

/** The automated checks of a first order (ZM-09), as a table over the pure `assess`. */
const clean: CheckInput = {
  emailDomain: "example.com",
  billingCountry: "US",
  shippingCountry: "US",
  served: ["US"],
  sameSource: 0,
  sameMailbox: 0,
};
const limits = { maxPerSource: 2, maxPerEmail: 1, disposable: new Set(["mailinator.com"]) };

describe("fraud checks", () => {
  it.each([
    ["a clean order passes", {}, []],
    ["a disposable domain", { emailDomain: "mailinator.com" }, ["disposable_email"]],
    ["a subdomain of a disposable domain", { emailDomain: "x.mailinator.com" }, ["disposable_email"]],
    ["a domain that only ends like one", { emailDomain: "notmailinator.com" }, []],
    ["billing and shipping countries differ", { shippingCountry: "FR" }, ["country_mismatch"]],
    [
      "billing outside the served countries",
      { billingCountry: "FR", shippingCountry: "FR" },
      ["billing_outside_served"],
    ],
    ["no billing address", { billingCountry: null }, ["no_billing_address"]],
    ["below the source limit", { sameSource: 1 }, []],
    ["at the source limit", { sameSource: 2 }, ["velocity_source"]],
    ["another first order from the mailbox", { sameMailbox: 1 }, ["velocity_email"]],
  ] as const)("%s", (_name, change, reasons) => {
    expect(assess({ ...clean, ...change }, limits)).toEqual(reasons);
  });

  it("folds a mailbox's aliases, and leaves other providers' dots alone", () => {
    expect(mailboxOf("Ada.King+shop@GoogleMail.com")).toBe("adaking@gmail.com");
    expect(mailboxOf("ada.king@example.com")).toBe("ada.king@example.com");
    expect(domainOf("a@Example.COM.")).toBe("example.com");
  });

  it("takes a source address's network: IPv4 /24, IPv6 /48, nothing for other text", () => {
    expect(networkOf("198.51.100.7")).toBe("198.51.100.0/24");
    expect(networkOf("::ffff:198.51.100.9")).toBe("198.51.100.0/24");
    expect(networkOf("2001:db8:aa:ffff::9")).toBe(networkOf("2001:DB8:AA::1"));
    expect(networkOf("2001:db8:ab::1")).not.toBe(networkOf("2001:db8:aa::1"));
    expect(networkOf("999.1.1.1")).toBeNull();
    expect(networkOf("not an address")).toBeNull();
  });
});
