/**
 * Fraud checks on a customer's first order (ZM-09). The first order a person places is checked
 * automatically; when a check fails the person is held for manual verification: no order of theirs
 * is charged or fulfilled until staff release the hold. Staff may reject it instead, and a hold not
 * verified within the pack's limit is rejected by the expiry sweep; either way the person's placed
 * orders are cancelled and no further order is taken. The customer is told by email when a hold
 * closes. Thresholds and the limit come from the pack's `fraud` section.
 */

/** Every automated check, by its stable code, with the words staff and the customer read. */
export const FRAUD_REASONS = {
  disposable_email: "The email address is at a disposable (throw-away) mail domain",
  country_mismatch: "The billing address and the shipping address are in different countries",
  billing_outside_served: "The billing address is in a country the policy does not serve",
  no_billing_address: "No billing address is on record, so the order cannot be checked against it",
  velocity_source: "Too many first orders came from the same network source in a short time",
  velocity_email: "Too many first orders came from the same mailbox (address aliases folded) in a short time",
} as const;
export type FraudReason = keyof typeof FRAUD_REASONS;
export const FRAUD_REASON_CODES = Object.keys(FRAUD_REASONS) as FraudReason[];

export const HOLD_STATUSES = ["held", "released", "rejected", "expired"] as const;
export type HoldStatus = (typeof HOLD_STATUSES)[number];

/**
 * The one transition table of a fraud hold: a held person is released (verified), rejected by
 * staff, or expired by the sweep once the pack's verification limit has passed. Every other state
 * is final. `transition()` (fraud.service.ts) is the only place a hold's status changes.
 */
export const HOLD_TRANSITIONS = {
  release: { from: ["held"], to: "released" },
  reject: { from: ["held"], to: "rejected" },
  expire: { from: ["held"], to: "expired" },
} as const satisfies Record<string, { from: readonly HoldStatus[]; to: HoldStatus }>;
export type HoldMove = keyof typeof HOLD_TRANSITIONS;

/** Staff roles that review holds besides admin (a pack without such a role: admin only). */
export const FRAUD_ROLES = ["billing"] as const;

/** A hold as the API shows it: ids, status, reasons and dates; no personal value. */
export interface FraudHoldView {
  readonly holdId: string;
  readonly subjectId: string;
  readonly status: HoldStatus;
  readonly reasons: readonly { readonly code: FraudReason; readonly reason: string }[];
  readonly heldAt: string;
  /** When the hold is rejected as unverifiable, unless released before. */
  readonly verifyBy: string;
  readonly closedAt: string | null;
  readonly closedBy: string | null;
  /** When the customer was told of the outcome (null: not yet, or still held). */
  readonly noticeSentAt: string | null;
  readonly version: number;
}

/** What the checks look at, gathered from the record by the service. */
export interface CheckInput {
  /** The email's domain, lower case; null when no email is on record. */
  readonly emailDomain: string | null;
  /** ISO 3166-1 alpha-2 country codes, as the store normalised them. */
  readonly billingCountry: string | null;
  readonly shippingCountry: string | null;
  /** The countries the pack serves (its jurisdictions, without subdivisions). */
  readonly served: readonly string[];
  /** Other people's first orders in the window, from the same source and the same mailbox. */
  readonly sameSource: number;
  readonly sameMailbox: number;
}

export interface CheckLimits {
  readonly maxPerSource: number;
  readonly maxPerEmail: number;
  readonly disposable: ReadonlySet<string>;
}

/**
 * The automated checks, pure: the reasons to hold, in FRAUD_REASONS order, none when the order
 * passes. A domain matches the disposable list itself or as a subdomain of a listed one.
 */
export function assess(input: CheckInput, limits: CheckLimits): FraudReason[] {
  const reasons: FraudReason[] = [];
  if (input.emailDomain !== null && isListed(input.emailDomain, limits.disposable)) {
    reasons.push("disposable_email");
  }
  if (
    input.billingCountry !== null &&
    input.shippingCountry !== null &&
    input.billingCountry !== input.shippingCountry
  ) {
    reasons.push("country_mismatch");
  }
  if (
    input.billingCountry !== null &&
    input.served.length > 0 &&
    !input.served.includes(input.billingCountry)
  ) {
    reasons.push("billing_outside_served");
  }
  if (input.billingCountry === null) reasons.push("no_billing_address");
  if (input.sameSource >= limits.maxPerSource) reasons.push("velocity_source");
  if (input.sameMailbox >= limits.maxPerEmail) reasons.push("velocity_email");
  return reasons;
}

function isListed(domain: string, list: ReadonlySet<string>): boolean {
  const parts = domain.split(".");
  for (let i = 0; i < parts.length - 1; i += 1) {
    if (list.has(parts.slice(i).join("."))) return true;
  }
  return false;
}

/** The domain of an email address, lower case, without a trailing dot. */
export function domainOf(email: string): string | null {
  const at = email.lastIndexOf("@");
  if (at < 0) return null;
  return (
    email
      .slice(at + 1)
      .trim()
      .toLowerCase()
      .replace(/\.$/, "") || null
  );
}

/** Mail providers that ignore dots in the local part. */
const DOTLESS = new Set(["gmail.com", "googlemail.com"]);

/**
 * The mailbox an address delivers to, so aliases count as one for velocity: lower case, the
 * `+tag` dropped, dots dropped where the provider ignores them, googlemail.com as gmail.com.
 */
export function mailboxOf(email: string): string {
  const at = email.lastIndexOf("@");
  const domain0 = (domainOf(email) ?? "").replace(/^googlemail\.com$/, "gmail.com");
  let local = email.slice(0, Math.max(at, 0)).trim().toLowerCase();
  local = local.split("+")[0] ?? local;
  if (DOTLESS.has(domain0)) local = local.replaceAll(".", "");
  return `${local}@${domain0}`;
}

/**
 * The network a source address belongs to, so a neighbouring address counts as the same source:
 * an IPv4 address's /24, an IPv6 address's /48. Null when the text is not an IP address.
 */
export function networkOf(address: string): string | null {
  const a = address.trim().toLowerCase();
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a.replace(/^::ffff:/, ""));
  if (v4 !== null) {
    const octets = v4.slice(1).map(Number);
    if (octets.some((o) => o > 255)) return null;
    return `${octets.slice(0, 3).join(".")}.0/24`;
  }
  if (!/^[0-9a-f:]+$/.test(a) || !a.includes(":")) return null;
  const [head = "", tail = ""] = a.split("::");
  const h = head === "" ? [] : head.split(":");
  const t = tail === "" ? [] : tail.split(":");
  const groups = a.includes("::") ? [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t] : h;
  if (groups.length !== 8 || groups.some((g) => g.length > 4)) return null;
  return `${groups
    .slice(0, 3)
    .map((g) => parseInt(g || "0", 16).toString(16))
    .join(":")}::/48`;
}

/** A pack period of days (`P7D`) in milliseconds. */
export function daysOf(period: string): number {
  const m = /^P(\d+)D$/.exec(period);
  if (m === null) throw new Error(`not a period of days: ${period}`);
  return Number(m[1]) * 24 * 3600 * 1000;
}
