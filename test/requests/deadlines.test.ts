import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  LAWS,
  addPeriod,
  calendarOf,
  dueAt,
  endOfLocalDay,
  lawFor,
  localDateAt,
  noticeInTime,
  timeLeft,
  type Calendar,
  type Law,
  type RequestKind,
} from "../../src/modules/requests/deadlines.ts";
import { parsePack } from "../../src/policy/load.ts";

/**
 * The statutory clocks of src/modules/requests/deadlines.ts, each test named after its rule. The
 * vectors are those of the research notes (standards.md §6): CCPA §7021, GDPR Art. 12(3) counted
 * by Reg. 1182/71, CAN-SPAM §7704(a)(4).
 */

const zones = parsePack(readFileSync("policies/zones/2019-12-31.yaml", "utf8"), "zones/2019-12-31.yaml");
const UTC: Calendar = { zone: "UTC", holidays: [] };
const noon = (date: string) => new Date(`${date}T12:00:00Z`);

function due(law: Law, kind: RequestKind, received: string, extended = false, cal = UTC) {
  return dueAt({ received: noon(received), law, kind, extended, pausedMs: 0, cal })?.date;
}

describe("statutory vectors", () => {
  it.each([
    [
      "rule 5: GDPR one month ends on the month's last day, then rolls off the weekend",
      "2026-01-31",
      false,
      "2026-03-02",
    ],
    ["rule 6: GDPR extended is one 3-month period from receipt", "2026-01-31", true, "2026-04-30"],
    ["rule 5: GDPR one month ends on the same date", "2026-05-15", false, "2026-06-15"],
    ["rules 5 and 6: GDPR 3 months ending on a Saturday roll to Monday", "2026-05-15", true, "2026-08-17"],
  ])("%s (%s, extended %s → %s)", (_, received, extended, expected) => {
    expect(due("gdpr", "answer", received, extended)).toBe(expected);
  });

  it.each([
    ["rule 4: CCPA acknowledges within 10 business days", "acknowledge", "2026-01-02", false, "2026-01-16"],
    [
      "rules 2 and 3: CCPA answers within 45 calendar days, the receipt day not counted",
      "answer",
      "2026-03-02",
      false,
      "2026-04-16",
    ],
    ["rule 6: CCPA extended is 90 calendar days from receipt", "answer", "2026-03-02", true, "2026-05-31"],
    ["rule 4: CCPA honours an opt-out within 15 business days", "opt_out", "2026-01-02", false, "2026-01-23"],
    ["rule 6: a CCPA opt-out has no extension", "opt_out", "2026-01-02", true, "2026-01-23"],
  ] as const)("%s (%s, %s, extended %s → %s)", (_, kind, received, extended, expected) => {
    expect(due("ccpa", kind, received, extended)).toBe(expected);
  });

  it("rule 4: 10 business days from Monday 2026-03-02 end on 2026-03-16 (CAN-SPAM's opt-out vector)", () => {
    expect(addPeriod(noon("2026-03-02"), { n: 10, unit: "business_days" }, UTC)).toBe("2026-03-16");
  });

  it("rule 4: a pack holiday is not a business day (CCPA across Thanksgiving, zones 2019 calendar)", () => {
    expect(due("ccpa", "acknowledge", "2026-11-20", false, calendarOf(zones))).toBe("2026-12-07");
    expect(due("ccpa", "acknowledge", "2026-11-20", false, UTC)).toBe("2026-12-04");
  });

  it("rule 3: a calendar-day due on a weekend stays there (2026-03-11 + 45 is Saturday 2026-04-25)", () => {
    expect(due("ccpa", "answer", "2026-03-11")).toBe("2026-04-25");
  });

  it("rule 8: the GDPR sets no acknowledgement clock", () => {
    expect(due("gdpr", "acknowledge", "2026-03-02")).toBeUndefined();
    expect(due("none", "acknowledge", "2026-03-02")).toBeUndefined();
  });

  it("no law named: 45 calendar days to answer, 15 business days for an opt-out", () => {
    expect(due("none", "answer", "2026-03-02")).toBe("2026-04-16");
    expect(due("none", "opt_out", "2026-01-02")).toBe("2026-01-23");
  });
});

describe("rule 1: counted on local dates, due by the end of the local day", () => {
  const la: Calendar = { zone: "America/Los_Angeles", holidays: [] };
  // Friday 2026-03-06 23:30 in Los Angeles is already Saturday 07:30 in UTC.
  const friday = new Date("2026-03-07T07:30:00Z");

  it("a request received late on a Friday in Los Angeles counts from that Friday", () => {
    expect(localDateAt(friday, la.zone)).toBe("2026-03-06");
    const answer = dueAt({
      received: friday,
      law: "ccpa",
      kind: "answer",
      extended: false,
      pausedMs: 0,
      cal: la,
    });
    expect(answer?.date).toBe("2026-04-20");
    expect(answer?.by.toISOString()).toBe("2026-04-21T07:00:00.000Z"); // midnight PDT
    const inUtc = dueAt({
      received: friday,
      law: "ccpa",
      kind: "answer",
      extended: false,
      pausedMs: 0,
      cal: UTC,
    });
    expect(inUtc?.date).toBe("2026-04-21");
  });

  it("the end of a local day follows daylight saving time", () => {
    expect(endOfLocalDay("2026-03-07", la.zone).toISOString()).toBe("2026-03-08T08:00:00.000Z");
    expect(endOfLocalDay("2026-03-08", la.zone).toISOString()).toBe("2026-03-09T07:00:00.000Z");
    expect(endOfLocalDay("2026-12-31", "UTC").toISOString()).toBe("2027-01-01T00:00:00.000Z");
  });
});

describe("the law for a jurisdiction (requests.deadlines)", () => {
  it.each([
    ["US-CA", "ccpa"],
    ["us_ca", "ccpa"],
    ["DE", "gdpr"],
    ["FR", "gdpr"],
    ["US-NY", "none"],
    ["US", "none"],
    ["CH", "none"],
    [null, "none"],
  ] as const)("zones 2019: %s → %s", (jurisdiction, law) => {
    expect(lawFor(zones, jurisdiction)).toBe(law);
  });

  it("the most specific entry wins, whatever its order", () => {
    const pack = {
      requests: {
        ...zones.requests!,
        deadlines: [
          { jurisdiction: "US-CA", law: "ccpa" as const },
          { jurisdiction: "US", law: "gdpr" as const },
        ],
      },
    };
    expect(lawFor(pack, "US-CA")).toBe("ccpa");
    expect(
      lawFor({ requests: { ...pack.requests, deadlines: [...pack.requests.deadlines].reverse() } }, "US-CA"),
    ).toBe("ccpa");
    expect(lawFor(pack, "US-TX")).toBe("gdpr");
  });

  it("a pack without a requests block runs every request on the default clocks", () => {
    expect(lawFor({ requests: undefined }, "US-CA")).toBe("none");
  });

  it("the pack's calendar is its time zone and holidays", () => {
    expect(calendarOf(zones)).toEqual({ zone: "America/Los_Angeles", holidays: zones.requests!.holidays });
    expect(zones.requests!.holidays).toContain("2026-11-26");
  });

  it("a jurisdiction whose deadlines entry lists holidays is counted on those: no US holiday moves a GDPR month", () => {
    expect(calendarOf(zones, "US-CA").holidays).toContain("2026-07-03");
    expect(calendarOf(zones, "DE")).toEqual({ zone: "America/Los_Angeles", holidays: [] });
    expect(calendarOf(zones, null).holidays).toEqual(zones.requests!.holidays);
    // 3 June + 1 month = Friday 3 July 2026, a US federal holiday (observed) but no EU one.
    expect(due("gdpr", "answer", "2026-06-03", false, calendarOf(zones, "FR"))).toBe("2026-07-03");
    expect(due("gdpr", "answer", "2026-06-03", false, calendarOf(zones))).toBe("2026-07-06");
    // The CCPA's business days still skip it: 10 business days from Monday 22 June 2026.
    expect(due("ccpa", "acknowledge", "2026-06-22", false, calendarOf(zones, "US-CA"))).toBe("2026-07-07");
  });
});

describe("the law table", () => {
  it("rule 6: each extension is in the unit of every clock it extends", () => {
    for (const law of Object.values(LAWS)) {
      for (const kind of law.extension.extends) {
        const clock = kind === "answer" ? law.answer : law.optOut;
        expect(clock.period.unit).toBe(law.extension.period.unit);
      }
    }
  });

  it("every clock names its source", () => {
    for (const law of Object.values(LAWS)) {
      const clocks = [law.acknowledge, law.answer, law.optOut, law.extension, law.extensionNoticeBy];
      for (const c of [...clocks, law.pausesForIdentity]) expect(c?.citation ?? "none").not.toBe("");
    }
  });

  it("only the GDPR pauses for an identity check; the CCPA clock runs regardless of verification", () => {
    expect(LAWS.gdpr.pausesForIdentity.pauses).toBe(true);
    expect(LAWS.ccpa.pausesForIdentity.pauses).toBe(false);
    expect(LAWS.none.pausesForIdentity.pauses).toBe(false);
  });
});

describe("helpers", () => {
  const original = dueAt({
    received: noon("2026-03-02"),
    law: "ccpa",
    kind: "answer",
    extended: false,
    pausedMs: 0,
    cal: UTC,
  })!;

  it("rule 6: an extension notice is in time only before the original due", () => {
    expect(noticeInTime(new Date("2026-04-16T23:59:59Z"), original)).toBe(true);
    expect(noticeInTime(new Date("2026-04-17T00:00:00Z"), original)).toBe(false);
  });

  it("time left is negative once overdue, in whole days toward zero", () => {
    expect(timeLeft(original.by, new Date("2026-04-15T00:00:00Z"))).toEqual({
      overdue: false,
      ms: 2 * 86_400_000,
      days: 2,
    });
    expect(timeLeft(original.by, new Date("2026-04-16T12:00:00Z")).days).toBe(0);
    expect(timeLeft(original.by, original.by).overdue).toBe(true);
    expect(timeLeft(original.by, new Date("2026-04-19T00:00:00Z"))).toMatchObject({
      overdue: true,
      days: -2,
    });
  });

  it("a period of no units, or a negative pause, is a bug", () => {
    expect(() => addPeriod(noon("2026-03-02"), { n: 0, unit: "calendar_days" }, UTC)).toThrow(RangeError);
    expect(() =>
      dueAt({
        received: noon("2026-03-02"),
        law: "gdpr",
        kind: "answer",
        extended: false,
        pausedMs: -1,
        cal: UTC,
      }),
    ).toThrow(RangeError);
  });
});

describe("properties", () => {
  const DAY = 86_400_000;
  const instant = fc.date({
    min: new Date("2025-10-01T00:00:00Z"),
    max: new Date("2027-03-31T00:00:00Z"),
    noInvalidDate: true,
  });
  const zone = fc.constantFrom(
    "UTC",
    "America/Los_Angeles",
    "Europe/Berlin",
    "Pacific/Auckland",
    "Asia/Kolkata",
  );
  const holiday = fc
    .integer({ min: Date.UTC(2025, 9, 1) / DAY, max: Date.UTC(2027, 11, 31) / DAY })
    .map((day) => new Date(day * DAY).toISOString().slice(0, 10));
  const cal = fc.record({ zone, holidays: fc.uniqueArray(holiday, { maxLength: 60 }) });
  const law = fc.constantFrom<Law>("ccpa", "gdpr", "none");
  const kind = fc.constantFrom<RequestKind>("answer", "acknowledge", "opt_out");
  const pause = fc.integer({ min: 0, max: 60 * DAY });
  const input = fc.record({ received: instant, law, kind, extended: fc.boolean(), pausedMs: pause, cal });
  const isWorkingDay = (date: string, c: Calendar) =>
    ![0, 6].includes(new Date(`${date}T00:00Z`).getUTCDay()) && !c.holidays.includes(date);

  it("rules 1 and 2: a request is due after it is received, on a later local date", () => {
    fc.assert(
      fc.property(input, (i) => {
        const d = dueAt(i);
        if (d === null) return;
        expect(d.by.getTime()).toBeGreaterThan(i.received.getTime());
        expect(d.date > localDateAt(i.received, i.cal.zone)).toBe(true);
      }),
    );
  });

  it("rule 2: a request received later is never due earlier", () => {
    fc.assert(
      fc.property(input, fc.integer({ min: 0, max: 40 * DAY }), (i, later) => {
        const a = dueAt(i);
        const b = dueAt({ ...i, received: new Date(i.received.getTime() + later) });
        if (a !== null && b !== null) expect(b.by.getTime()).toBeGreaterThanOrEqual(a.by.getTime());
      }),
    );
  });

  it("rule 7: no pause is neutral; more pause is never earlier; a law that does not pause ignores it", () => {
    fc.assert(
      fc.property(input, pause, (i, more) => {
        const none = dueAt({ ...i, pausedMs: 0 });
        const some = dueAt(i);
        const most = dueAt({ ...i, pausedMs: i.pausedMs + more });
        if (none === null || some === null || most === null) return;
        const clock =
          i.kind === "answer"
            ? LAWS[i.law].answer
            : i.kind === "opt_out"
              ? LAWS[i.law].optOut
              : LAWS[i.law].acknowledge!;
        if (!i.extended) expect(none.date).toBe(addPeriod(i.received, clock.period, i.cal));
        expect(some.by.getTime()).toBeGreaterThanOrEqual(none.by.getTime());
        expect(most.by.getTime()).toBeGreaterThanOrEqual(some.by.getTime());
        if (!LAWS[i.law].pausesForIdentity.pauses) expect(most).toEqual(none);
      }),
    );
  });

  it("rule 6: an extended request is never due earlier than it would be without the extension", () => {
    fc.assert(
      fc.property(input, (i) => {
        const plain = dueAt({ ...i, extended: false });
        const extended = dueAt({ ...i, extended: true });
        if (plain !== null && extended !== null)
          expect(extended.by.getTime()).toBeGreaterThanOrEqual(plain.by.getTime());
      }),
    );
  });

  it("rule 4: every business-day due date is a working day", () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 30 }), cal, (start, n, c) => {
        expect(isWorkingDay(addPeriod(start, { n, unit: "business_days" }, c), c)).toBe(true);
      }),
    );
  });

  it("rule 5: a month period ends on its date or month end, or later only across non-working days", () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 14 }), cal, (start, n, c) => {
        const [y, m, d] = localDateAt(start, c.zone).split("-").map(Number) as [number, number, number];
        const last = new Date(Date.UTC(y, m - 1 + n + 1, 0)).getUTCDate();
        const end = Date.UTC(y, m - 1 + n, Math.min(d, last)) / DAY;
        const result = addPeriod(start, { n, unit: "months" }, c);
        expect(isWorkingDay(result, c)).toBe(true);
        const resultDay = Date.parse(`${result}T00:00Z`) / DAY;
        expect(resultDay).toBeGreaterThanOrEqual(end);
        for (let day = end; day < resultDay; day += 1) {
          expect(isWorkingDay(new Date(day * DAY).toISOString().slice(0, 10), c)).toBe(false);
        }
      }),
    );
  });
});
