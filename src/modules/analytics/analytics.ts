import { createHmac } from "node:crypto";
import { isIP } from "node:net";

/**
 * Site statistics without tracking people (Z16-08, Z19-02, PS-03). The pure parts: what a page
 * view keeps, how a visitor key is made, and which cells of a report are withheld.
 *
 * A visitor key is HMAC-SHA256 over the site, the truncated address (IPv4 /24, IPv6 /48) and the
 * user agent, under the day's random salt, cut to 16 bytes. The address and the user agent are
 * never stored; the salt is destroyed 48 hours after its day began, after which no key can be
 * linked to any address, nor two days' keys to each other.
 */

/** How long a day's salt is kept, from the start of its day (UTC). */
export const SALT_LIFETIME_MS = 48 * 3600_000;
export const VISITOR_KEY_BYTES = 16;
export const MAX_PATH_LENGTH = 512;

/** The network part of an address: IPv4 /24, IPv6 /48 (an IPv4-mapped IPv6 address as IPv4). */
export function truncateIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const address = mapped?.[1] ?? ip;
  if (isIP(address) === 4) return address.split(".").slice(0, 3).join(".") + ".0/24";
  if (isIP(address) === 6) return expandIpv6(address).slice(0, 3).join(":") + "::/48";
  return "unknown";
}

function expandIpv6(address: string): string[] {
  const [head = "", tail] = address.toLowerCase().split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...fill, ...right].map((g) => g.replace(/^0+(?=.)/, ""));
}

export function visitorKey(salt: Buffer, site: string, ip: string, userAgent: string): Buffer {
  return createHmac("sha256", salt)
    .update(`${site}\u0000${truncateIp(ip)}\u0000${userAgent}`)
    .digest()
    .subarray(0, VISITOR_KEY_BYTES);
}

/** `YYYY-MM-DD` of an instant, in UTC. */
export const dayOf = (at: Date): string => at.toISOString().slice(0, 10);
/** The budget period (`YYYY-MM`) a day falls in. */
export const periodOf = (day: string): string => day.slice(0, 7);

export interface PageView {
  readonly site: string;
  readonly path: string;
  /** The host of another site the visitor came from; null for none or the site itself. */
  readonly referrer: string | null;
}

/**
 * What is kept of a hit: the page's host and path, never its query string or fragment (they may
 * carry an email address or a token), and only the host of the referring page. Null for a page
 * that is not an http(s) URL.
 */
export function pageViewOf(page: string, referrer: string | undefined): PageView | null {
  let url: URL;
  try {
    url = new URL(page);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  const site = url.hostname;
  const path = url.pathname.slice(0, MAX_PATH_LENGTH);
  let from: string | null = null;
  if (referrer !== undefined && referrer !== "") {
    try {
      const r = new URL(referrer);
      if ((r.protocol === "https:" || r.protocol === "http:") && r.hostname !== site) from = r.hostname;
    } catch {
      from = null;
    }
  }
  return { site, path, referrer: from };
}

/** One cell of a report: a page, a referrer, an entry or exit page, with its true counts. */
export interface Cell {
  readonly key: string;
  readonly views: number;
  readonly visitors: number;
}

/**
 * Which cells of one table are withheld, given the minimum cohort k (people, i.e. visitors):
 *
 *  1. a cell of fewer than k visitors is withheld (primary suppression);
 *  2. when any cell is withheld, the smallest cell of k or more is withheld too (complementary
 *     suppression), so the table's published total minus its published cells is the sum of at
 *     least two cells, one of them of k visitors or more: no withheld cell can be recovered by
 *     subtraction, and what the residual tells is about k people or more at once.
 *
 * Returns the keys withheld. When every cell is small the residual is the table's total, which
 * is itself published only when the whole day reaches k visitors.
 */
export function withheldCells(cells: readonly Cell[], k: number): Set<string> {
  const withheld = new Set(cells.filter((c) => c.visitors < k).map((c) => c.key));
  if (withheld.size === 0) return withheld;
  const smallestLarge = cells
    .filter((c) => c.visitors >= k)
    .sort((a, b) => a.visitors - b.visitors || a.views - b.views || a.key.localeCompare(b.key))[0];
  if (smallestLarge !== undefined) withheld.add(smallestLarge.key);
  return withheld;
}

/** A draw from Laplace(0, scale), from a uniform draw in [0, 1). */
export function laplace(scale: number, uniform: () => number): number {
  const u = uniform() - 0.5;
  return -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
}

/**
 * Page views of one visit (a visitor key's views on one day) that a noisy report counts; the rest
 * are left out, so that one person's weight in the report is bounded.
 */
export const VIEWS_PER_VISIT = 5;

/**
 * The most one visit can change a noisy report, summed over every count it publishes (its L1
 * sensitivity): the day's views (at most VIEWS_PER_VISIT) and visitors (1); the pages table's
 * views (VIEWS_PER_VISIT in all) and visitors (one per page, at most VIEWS_PER_VISIT); the
 * referrers' the same; the entry page's cell and the exit page's, views and visitors (2 each).
 * Noise of scale VISIT_SENSITIVITY / ε on every count makes the whole report ε-private for a visit.
 */
export const VISIT_SENSITIVITY = 1 + 5 * VIEWS_PER_VISIT + 4;

/** A count with Laplace noise for `sensitivity` at ε, rounded and never below zero. */
export function noisy(count: number, epsilon: number, uniform: () => number, sensitivity: number): number {
  return Math.max(0, Math.round(count + laplace(sensitivity / epsilon, uniform)));
}
