import type { PolicyPack } from "../../policy/schema.ts";
import { calendarOf, dueAt, LAWS, timeLeft, type Law } from "./deadlines.ts";
import { isOptOut, type RequestKind } from "./requests.ts";

/**
 * A request's clock as the pack counts it: the law of its jurisdiction (`requests.deadlines`),
 * business days in the pack's time zone without the holidays that jurisdiction observes. The arithmetic is deadlines.ts's;
 * this file only says which period a request runs on and what pause it has had.
 */
export interface ClockInput {
  readonly kind: RequestKind;
  readonly law: string;
  /** The request's jurisdiction: its holidays (calendarOf). */
  readonly jurisdiction: string | null;
  readonly receivedAt: Date;
  readonly extended: boolean;
  /** Paused time already over (an identity check that waited on the person). */
  readonly pausedMs: number;
  /** When the running pause began, if the clock is stopped now. */
  readonly pausedSince: Date | null;
}

export interface Clock {
  readonly due: Date;
  readonly dueDate: string;
  readonly acknowledgeBy: Date | null;
  /** Whether the clock is stopped now (the law pauses it and the identity check waits on the person). */
  readonly paused: boolean;
}

export function lawOf(name: string): Law {
  return name in LAWS ? (name as Law) : "none";
}

/** The clock at `now`: a running pause counts up to now, so the due date moves while it lasts. */
export function clockOf(pack: PolicyPack, input: ClockInput, now: Date): Clock {
  const law = lawOf(input.law);
  const cal = calendarOf(pack, input.jurisdiction);
  const running = input.pausedSince === null ? 0 : Math.max(0, now.getTime() - input.pausedSince.getTime());
  const answer = dueAt({
    received: input.receivedAt,
    law,
    kind: isOptOut(input.kind) ? "opt_out" : "answer",
    extended: input.extended,
    pausedMs: input.pausedMs + running,
    cal,
  });
  if (answer === null) throw new Error(`law ${law} sets no answer clock`);
  const acknowledge = isOptOut(input.kind)
    ? null
    : dueAt({ received: input.receivedAt, law, kind: "acknowledge", extended: false, pausedMs: 0, cal });
  return {
    due: answer.by,
    dueDate: answer.date,
    acknowledgeBy: acknowledge?.by ?? null,
    paused: input.pausedSince !== null && LAWS[law].pausesForIdentity.pauses,
  };
}

export { timeLeft };
