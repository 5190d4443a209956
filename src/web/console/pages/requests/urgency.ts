import type { RequestView } from "../../../../modules/requests/requests.ts";

/** What "this week" means on the queue: due within the next seven days from now. */
export const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

export interface Urgency {
  /** The due dates (YYYY-MM-DD) of the chart's day buckets, in order, after the overdue bucket. */
  readonly days: readonly string[];
  /** Requests due on each of `days`, not yet overdue. */
  readonly dueOn: readonly number[];
  readonly overdue: number;
  readonly dueThisWeek: number;
}

const plusDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/**
 * Counts open requests for the chart: the overdue in one bucket, the rest by their due date, one
 * bucket a day from `today` for a week. `requests` are the open ones due within the week (the
 * overdue among them); `today` is the browser's date. Due dates are in the pack's time zone, which
 * may be a day behind or ahead of the browser's: a date outside the seven days is added, never
 * dropped, so every request is counted once.
 */
export function urgencyOf(requests: readonly RequestView[], today: string): Urgency {
  const dates = new Set(Array.from({ length: 7 }, (_, i) => plusDays(today, i)));
  let overdue = 0;
  const byDay = new Map<string, number>();
  for (const r of requests) {
    if (r.closedAt !== null || r.dueDate === null) continue;
    if (r.overdue) {
      overdue += 1;
      continue;
    }
    dates.add(r.dueDate);
    byDay.set(r.dueDate, (byDay.get(r.dueDate) ?? 0) + 1);
  }
  const days = [...dates].sort();
  const dueOn = days.map((d) => byDay.get(d) ?? 0);
  return { days, dueOn, overdue, dueThisWeek: dueOn.reduce((a, b) => a + b, 0) };
}

/** The browser's date today, as YYYY-MM-DD. */
export function localToday(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
