import type { Problem } from "../../../shared/api.ts";
import { staffMessage } from "../../words.ts";

/** Why the API refused a site report (docs/analytics.md), in words, with its own detail after. */
const REFUSED: Record<string, string> = {
  PLEDGE_ANALYTICS_BUDGET_EXHAUSTED:
    "This report would spend more of the site's privacy budget than the month has left, so nothing was reported and nothing was spent. Ask for exact counts (no noise), a smaller ε, or wait for the next month.",
  PLEDGE_ANALYTICS_RANGE_INVALID:
    "This period cannot be reported: its first day must be on or before its last, and it may cover at most 92 days.",
  PLEDGE_USE_REFUSED: "The policy does not let your role see these statistics for this purpose.",
};

export function statisticsRefusal(problem: Problem): string {
  const known = REFUSED[problem.code];
  if (known === undefined) return staffMessage(problem);
  const clauses = (problem.clauses ?? []).length > 0 ? ` Clauses: ${problem.clauses!.join(", ")}.` : "";
  return `${known} (${staffMessage(problem).replace(/\.$/, "")}.)${clauses}`;
}
