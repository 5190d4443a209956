import type { Transaction } from "kysely";
import type { Database } from "../../store/database.ts";
import { noisy, VIEWS_PER_VISIT, VISIT_SENSITIVITY, withheldCells, type Cell } from "./analytics.ts";
import {
  dayTotals,
  entryExitCells,
  pageCells,
  referrerCells,
  type DayCells,
  type Range,
} from "./analytics.repository.ts";

/**
 * The report of a site over a range of days, as aggregates only (Z16-08, Z19-02, PS-03): per day
 * its page views and visitors, and its pages, referrers, entry and exit pages. A day of fewer
 * visitors than the minimum cohort is withheld whole; in each table a cell of fewer visitors is
 * withheld, and so is its complement (see `withheldCells`), so subtracting the published cells
 * from the day's total recovers no withheld cell. Withheld cells show neither key nor count.
 */
export interface PublishedCell {
  /** The page path, the referring host (null: none), or the entry or exit page. */
  readonly key: string | null;
  readonly views: number;
  readonly visitors: number;
}

export interface Table {
  readonly cells: readonly PublishedCell[];
  /** How many cells were withheld (their keys and counts are not shown). */
  readonly withheld: number;
}

export interface DayReport {
  readonly day: string;
  readonly withheld: boolean;
  readonly pageViews: number | null;
  readonly visitors: number | null;
  readonly pages: Table;
  readonly referrers: Table;
  readonly entries: Table;
  readonly exits: Table;
}

export interface Noise {
  readonly epsilon: number;
  readonly uniform: () => number;
}

const EMPTY: Table = { cells: [], withheld: 0 };

export async function buildReport(
  trx: Transaction<Database>,
  range: Range,
  minCohort: number | null,
  noise: Noise | null,
): Promise<DayReport[]> {
  // A noisy report counts each visit's first views only, which bounds its sensitivity.
  const counted = noise === null ? range : { ...range, clip: VIEWS_PER_VISIT };
  const [totals, pages, referrers, visits] = [
    await dayTotals(trx, counted),
    await pageCells(trx, counted),
    await referrerCells(trx, counted),
    await entryExitCells(trx, range),
  ];
  // No minimum cohort in the pack: nothing is small enough to be safe, every figure is withheld.
  const k = minCohort ?? Number.POSITIVE_INFINITY;
  const count = (n: number): number =>
    noise === null ? n : noisy(n, noise.epsilon, noise.uniform, VISIT_SENSITIVITY);
  const byDay = (cells: readonly DayCells[]): Map<string, DayCells[]> => {
    const map = new Map<string, DayCells[]>();
    for (const c of cells) map.set(c.day, [...(map.get(c.day) ?? []), c]);
    return map;
  };
  const [p, r, en, ex] = [byDay(pages), byDay(referrers), byDay(visits.entries), byDay(visits.exits)];
  const table = (cells: readonly Cell[] | undefined, direct: boolean): Table => {
    const all = cells ?? [];
    const hidden = withheldCells(all, k);
    const shown = all
      .filter((c) => !hidden.has(c.key))
      .map((c) => ({
        key: direct && c.key === "" ? null : c.key,
        views: count(c.views),
        visitors: count(c.visitors),
      }))
      .sort((a, b) => b.views - a.views || (a.key ?? "").localeCompare(b.key ?? ""));
    return { cells: shown, withheld: hidden.size };
  };
  return totals.map((t) => {
    if (t.visitors < k) {
      return {
        day: t.day,
        withheld: true,
        pageViews: null,
        visitors: null,
        pages: EMPTY,
        referrers: EMPTY,
        entries: EMPTY,
        exits: EMPTY,
      };
    }
    return {
      day: t.day,
      withheld: false,
      pageViews: count(t.views),
      visitors: count(t.visitors),
      pages: table(p.get(t.day), false),
      referrers: table(r.get(t.day), true),
      entries: table(en.get(t.day), false),
      exits: table(ex.get(t.day), false),
    };
  });
}
