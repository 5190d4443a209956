/**
 * The statutory clocks of a rights request, as data: one row per law, each clock with the text
 * it comes from. deadlines.ts does the counting; this file only says what the law says.
 */

export type Law = "ccpa" | "gdpr" | "none";

export type PeriodUnit = "business_days" | "calendar_days" | "months";

/** A span of time as the law states it: `n` whole units counted after the day of the event. */
export interface Period {
  readonly n: number;
  readonly unit: PeriodUnit;
}

export interface Clock {
  readonly period: Period;
  readonly citation: string;
}

export interface LawClocks {
  /** Confirm receipt and say how the request will be handled; null: the law sets no such step. */
  readonly acknowledge: Clock | null;
  /** Answer a request to know, access, correct or delete. */
  readonly answer: Clock;
  /** Act on an opt-out of sale or sharing (CCPA), or an objection (GDPR Art. 21). */
  readonly optOut: Clock;
  /** One further period, in the same unit, for the clocks it names; granted at most once. */
  readonly extension: Clock & { readonly extends: readonly ("answer" | "opt_out")[] };
  /** The person must be told of the extension, with its reasons, before the original due. */
  readonly extensionNoticeBy: { readonly when: "before_original_due"; readonly citation: string };
  /** Whether the clock stops while an identity check waits on the person. */
  readonly pausesForIdentity: { readonly pauses: boolean; readonly citation: string };
}

const businessDays = (n: number): Period => ({ n, unit: "business_days" });
const calendarDays = (n: number): Period => ({ n, unit: "calendar_days" });
const months = (n: number): Period => ({ n, unit: "months" });

const CCPA_ANSWER = "Cal. Civ. Code §1798.130(a)(2); 11 CCR §7021(b)";
const GDPR_ANSWER = "GDPR Art. 12(3)";
const NONE = "no law named for the jurisdiction (requests.deadlines): Pledge's default";

export const LAWS: Readonly<Record<Law, LawClocks>> = {
  ccpa: {
    acknowledge: { period: businessDays(10), citation: "11 CCR §7021(a)" },
    answer: { period: calendarDays(45), citation: CCPA_ANSWER },
    optOut: { period: businessDays(15), citation: "11 CCR §7026(f); §7027 for limiting sensitive data" },
    extension: { period: calendarDays(45), extends: ["answer"], citation: CCPA_ANSWER },
    extensionNoticeBy: { when: "before_original_due", citation: CCPA_ANSWER },
    pausesForIdentity: {
      pauses: false,
      citation: "11 CCR §7021(b): the clock begins on receipt, regardless of the time to verify",
    },
  },
  gdpr: {
    acknowledge: null,
    answer: { period: months(1), citation: GDPR_ANSWER },
    optOut: { period: months(1), citation: "GDPR Art. 12(3), Art. 21" },
    extension: { period: months(2), extends: ["answer", "opt_out"], citation: GDPR_ANSWER },
    extensionNoticeBy: { when: "before_original_due", citation: GDPR_ANSWER },
    pausesForIdentity: {
      pauses: true,
      citation: "GDPR Art. 12(6); EDPB Guidelines 01/2022 on the right of access",
    },
  },
  none: {
    acknowledge: null,
    answer: { period: calendarDays(45), citation: NONE },
    optOut: { period: businessDays(15), citation: NONE },
    extension: { period: calendarDays(45), extends: ["answer"], citation: NONE },
    extensionNoticeBy: { when: "before_original_due", citation: NONE },
    pausesForIdentity: { pauses: false, citation: NONE },
  },
};
