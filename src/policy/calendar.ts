/**
 * Calendar arithmetic in the pack's time zone (`time_zone`): a calendar year or day is the
 * company's, not UTC's. A disclosure at 23:59 on 31 December in Los Angeles belongs to that year
 * (Z19-10), though in UTC it is already the next. Pure: the time zone data is the runtime's.
 */

/** The UTC instant at which the local date `year-month-day` 00:00 begins in `zone`. */
export function startOfLocalDay(year: number, month: number, day: number, zone: string): Date {
  const wall = Date.UTC(year, month - 1, day);
  // The offset at the wall-clock instant, then at the instant found: right across a DST change.
  let instant = wall - offsetAt(wall, zone);
  instant = wall - offsetAt(instant, zone);
  return new Date(instant);
}

/** [from, to): the instants of a calendar year in `zone`. */
export function calendarYear(year: number, zone: string): { from: Date; to: Date } {
  return { from: startOfLocalDay(year, 1, 1, zone), to: startOfLocalDay(year + 1, 1, 1, zone) };
}

/** The calendar year an instant falls in, in `zone`. */
export function yearAt(instant: Date, zone: string): number {
  return Number(
    new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric" })
      .formatToParts(instant)
      .find((p) => p.type === "year")?.value,
  );
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** How far `zone`'s wall clock is ahead of UTC at `instant`, in milliseconds. */
function offsetAt(instant: number, zone: string): number {
  let format = formats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formats.set(zone, format);
  }
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(new Date(instant))) parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - (instant - (((instant % 1000) + 1000) % 1000));
}
