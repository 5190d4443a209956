/**
 * When a rights request is due, under the law that covers the person (laws.ts). Pure: no I/O, no
 * clock read; the time zone data is the runtime's. The rules:
 *
 * 1. A request is due BY the end of its due date in the pack's time zone: the instant the next
 *    local day begins. Counting is on local dates, never on UTC ones.
 * 2. A clock starts on the local date of receipt, and that day is not counted (Reg. 1182/71
 *    Art. 3(1); 11 CCR §7021(b)): 45 days from 2026-03-02 is 2026-04-16.
 * 3. Calendar days: the date n days later. It does not move off a weekend or holiday: the CCPA
 *    counts calendar days, and a roll could only make the due later; we keep the earlier date.
 * 4. Business days: the n-th working day after the start. A working day is Monday to Friday and
 *    not one of the pack's holidays.
 * 5. Months (Reg. 1182/71 Art. 3(2)(c)): the same date n months later, or that month's last day
 *    when it has no such date; then, when that is a weekend or holiday, the next working day
 *    (Art. 3(4)). The holidays are those of the pack's `requests.deadlines` entry for the
 *    request's jurisdiction when it lists them, else `requests.holidays` (`calendarOf`).
 * 6. An extension is granted once and adds its n to the clock's n, in the same unit, from the
 *    same start: CCPA 45 + 45 = 90 days; GDPR 1 + 2 = 3 months (one 3-month period, not 2 months
 *    after a rolled 1-month end). Its notice is due before the original due (`noticeInTime`).
 * 7. Time paused for an identity check moves the start later by its duration, under a law that
 *    pauses (GDPR) and only then; a pause never makes a request due earlier.
 * 8. A clock the law does not set (an acknowledgement under the GDPR) has no due: null.
 */

import { startOfLocalDay } from "../../policy/calendar.ts";
import { specificity } from "../../policy/jurisdiction.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import { LAWS, type Clock, type Law, type LawClocks, type Period } from "./laws.ts";

export { LAWS, type Clock, type Law, type LawClocks, type Period, type PeriodUnit } from "./laws.ts";

/** A local calendar date, `YYYY-MM-DD`. */
export type LocalDate = string;

/** The days a clock counts on: the pack's time zone and its public holidays (local dates there). */
export interface Calendar {
  readonly zone: string;
  readonly holidays: readonly string[];
}

export type RequestKind = "answer" | "acknowledge" | "opt_out";

export interface Due {
  readonly date: LocalDate;
  /** The end of `date` in the calendar's zone: the request is late from this instant on. */
  readonly by: Date;
  readonly citation: string;
}

const DAY_MS = 86_400_000;

/**
 * The calendar a request from `jurisdiction` is counted on: the pack's time zone, and the holidays
 * of the `requests.deadlines` entry that covers it when that entry lists its own (a GDPR month
 * does not roll over a US holiday), else `requests.holidays`.
 */
export function calendarOf(
  pack: Pick<PolicyPack, "time_zone" | "requests">,
  jurisdiction: string | null = null,
): Calendar {
  const own = jurisdiction === null ? undefined : entryFor(pack, jurisdiction)?.holidays;
  return { zone: pack.time_zone, holidays: own ?? pack.requests?.holidays ?? [] };
}

/** The law whose clocks run for a person in `jurisdiction`: the most specific entry; "none" without one. */
export function lawFor(pack: Pick<PolicyPack, "requests">, jurisdiction: string | null): Law {
  return jurisdiction === null ? "none" : (entryFor(pack, jurisdiction)?.law ?? "none");
}

type DeadlineEntry = NonNullable<PolicyPack["requests"]>["deadlines"][number];

/** The `requests.deadlines` entry that names `jurisdiction` most closely. */
function entryFor(pack: Pick<PolicyPack, "requests">, jurisdiction: string): DeadlineEntry | undefined {
  let best: { entry: DeadlineEntry; score: number } | null = null;
  for (const d of pack.requests?.deadlines ?? []) {
    const score = specificity(jurisdiction, d.jurisdiction);
    if (score > (best?.score ?? 0)) best = { entry: d, score };
  }
  return best?.entry;
}

/** The local due date of `period` counted from `start` (rules 2 to 5). `period.n` is a whole number ≥ 1. */
export function addPeriod(start: Date, period: Period, cal: Calendar): LocalDate {
  if (!Number.isInteger(period.n) || period.n < 1) {
    throw new RangeError(`a period counts whole units from 1, not ${period.n}`);
  }
  const from = dayNumber(localDateAt(start, cal.zone));
  const holidays = new Set(cal.holidays);
  switch (period.unit) {
    case "calendar_days":
      return dateOf(from + period.n);
    case "business_days": {
      let day = from;
      for (let left = period.n; left > 0;) {
        day += 1;
        if (isWorkingDay(day, holidays)) left -= 1;
      }
      return dateOf(day);
    }
    case "months": {
      let day = dayNumber(plusMonths(dateOf(from), period.n));
      while (!isWorkingDay(day, holidays)) day += 1;
      return dateOf(day);
    }
    default: {
      const never: never = period.unit;
      return never;
    }
  }
}

/** The instant local day `date` ends in `zone` (exclusive): the start of the next local day. */
export function endOfLocalDay(date: LocalDate, zone: string): Date {
  const [year, month, day] = partsOf(dateOf(dayNumber(date) + 1));
  return startOfLocalDay(year, month, day, zone);
}

/** When a request of `kind` received at `received` is due (rules 1 to 8); `pausedMs` ≥ 0. */
export function dueAt(input: {
  received: Date;
  law: Law;
  kind: RequestKind;
  extended: boolean;
  pausedMs: number;
  cal: Calendar;
}): Due | null {
  if (!Number.isFinite(input.pausedMs) || input.pausedMs < 0) {
    throw new RangeError(`paused time is a duration ≥ 0 ms, not ${input.pausedMs}`);
  }
  const law = LAWS[input.law];
  const clock = clockOf(law, input.kind);
  if (clock === null) return null;
  const start = new Date(input.received.getTime() + (law.pausesForIdentity.pauses ? input.pausedMs : 0));
  const extended =
    input.extended && input.kind !== "acknowledge" && law.extension.extends.includes(input.kind);
  const period = extended ? extend(clock.period, law.extension.period) : clock.period;
  const date = addPeriod(start, period, input.cal);
  return {
    date,
    by: endOfLocalDay(date, input.cal.zone),
    citation: extended ? law.extension.citation : clock.citation,
  };
}

/** Whether an extension notice sent at `sentAt` came in time: before the original due (rule 6). */
export function noticeInTime(sentAt: Date, original: Due): boolean {
  return sentAt.getTime() < original.by.getTime();
}

/** How long until `due`: `ms` is negative once overdue, `days` whole 24-hour days toward zero. */
export function timeLeft(due: Date, now: Date): { overdue: boolean; ms: number; days: number } {
  const ms = due.getTime() - now.getTime();
  return { overdue: ms <= 0, ms, days: Math.trunc(ms / DAY_MS) || 0 }; // `|| 0`: never -0
}

function clockOf(law: LawClocks, kind: RequestKind): Clock | null {
  switch (kind) {
    case "acknowledge":
      return law.acknowledge;
    case "answer":
      return law.answer;
    case "opt_out":
      return law.optOut;
    default: {
      const never: never = kind;
      return never;
    }
  }
}

function extend(clock: Period, extension: Period): Period {
  if (clock.unit !== extension.unit) {
    throw new Error(`LAWS: an extension in ${extension.unit} cannot extend a clock in ${clock.unit}`);
  }
  return { n: clock.n + extension.n, unit: clock.unit };
}

function plusMonths(date: LocalDate, n: number): LocalDate {
  const [year, month, day] = partsOf(date);
  const index = month - 1 + n;
  const y = year + Math.floor(index / 12);
  const m = (index % 12) + 1;
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return dateOf(Date.UTC(y, m - 1, Math.min(day, last)) / DAY_MS);
}

function isWorkingDay(day: number, holidays: ReadonlySet<string>): boolean {
  const weekday = new Date(day * DAY_MS).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !holidays.has(dateOf(day));
}

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function partsOf(date: LocalDate): [number, number, number] {
  const match = LOCAL_DATE.exec(date);
  if (match === null) throw new RangeError(`not a local date YYYY-MM-DD: ${date}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** Days since 1970-01-01 (a day number makes day arithmetic plain integer arithmetic). */
function dayNumber(date: LocalDate): number {
  const [year, month, day] = partsOf(date);
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

function dateOf(day: number): LocalDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The local date in `zone` at `instant`. */
export function localDateAt(instant: Date, zone: string): LocalDate {
  let format = formats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    formats.set(zone, format);
  }
  const parts = format.formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part("year").padStart(4, "0")}-${part("month")}-${part("day")}`;
}
