/**
 * Age in whole years, computed the same way for the in-process facts and for SQL. A person born
 * on `birth` (YYYY-MM-DD) is at least `years` old on the UTC calendar day of `at` exactly when
 * `birth <= birthCutoff(at, years)`; `ageAt` is the largest such `years`. Someone born on
 * 29 February turns a year older on 1 March in common years.
 */

/** The UTC calendar day of an ISO 8601 instant, as [year, month, day]. */
function utcDay(at: string): [number, number, number] {
  const t = Date.parse(at);
  if (Number.isNaN(t)) throw new RangeError(`not an ISO 8601 instant: ${at}`);
  const d = new Date(t);
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
}

function parseDate(date: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (m === null) throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** Whole years between `birth` (YYYY-MM-DD) and the UTC day of `at`. */
export function ageAt(birth: string, at: string): number {
  const [by, bm, bd] = parseDate(birth);
  const [y, m, d] = utcDay(at);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** The latest birth date (YYYY-MM-DD) of someone at least `years` old on the UTC day of `at`. */
export function birthCutoff(at: string, years: number): string {
  const [y, m, d] = utcDay(at);
  const year = y - years;
  const lastDay = new Date(Date.UTC(year, m, 0)).getUTCDate(); // day 0 of next month
  const day = Math.min(d, lastDay);
  return `${String(year).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}
