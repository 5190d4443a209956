import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VIEWS_PER_VISIT, VISIT_SENSITIVITY } from "../../src/modules/analytics/analytics.ts";
import { buildReport, type DayReport } from "../../src/modules/analytics/analytics.report.ts";
import { insertPageViews, type PageViewRow } from "../../src/modules/analytics/analytics.repository.ts";
import type { Store } from "../../src/store/store.ts";
import { freshStore } from "../harness/store.ts";

/**
 * The noise of a report is calibrated to what one visit can change: a noisy report counts each
 * visit's first VIEWS_PER_VISIT views only, and every count gets Laplace noise of scale
 * VISIT_SENSITIVITY / ε. Checked on the store: the clipping, the scale, and the bound itself
 * (removing any one visit moves the published counts, summed, by at most VISIT_SENSITIVITY).
 */
let store: Store;
beforeAll(async () => {
  store = await freshStore();
});
afterAll(() => store.close());

const DAY = "2026-11-02";
let site = 0;

/** Stores `visits` on a new site: each a visitor key and the paths (and referrers) it viewed, in order. */
async function siteWith(visits: readonly { paths: readonly string[]; referrer?: string | null }[]) {
  site += 1;
  const name = `noise-${site}.example`;
  const rows: PageViewRow[] = visits.flatMap((v, i) =>
    v.paths.map((path, j) => ({
      site: name,
      day: DAY,
      at: new Date(Date.parse(`${DAY}T08:00:00Z`) + i * 60_000 + j * 1000),
      visitor: Buffer.alloc(16, 0)
        .fill(i % 256, 0, 1)
        .fill(Math.floor(i / 256), 1, 2),
      path,
      referrer: v.referrer ?? null,
    })),
  );
  await insertPageViews(store.db, rows);
  return { site: name, from: DAY, to: DAY };
}

const report = (range: { site: string; from: string; to: string }, noise: null | number, u = 0.5) =>
  store.db
    .transaction()
    .execute((trx) =>
      buildReport(trx, range, 1, noise === null ? null : { epsilon: noise, uniform: () => u }),
    );

/** Every count a day's report publishes, by name. */
function counts(day: DayReport): Map<string, number> {
  const out = new Map<string, number>([
    ["views", day.pageViews ?? 0],
    ["visitors", day.visitors ?? 0],
  ]);
  for (const [table, t] of Object.entries({
    pages: day.pages,
    referrers: day.referrers,
    entries: day.entries,
    exits: day.exits,
  })) {
    for (const c of t.cells) {
      out.set(`${table}:${c.key}:views`, c.views);
      out.set(`${table}:${c.key}:visitors`, c.visitors);
    }
  }
  return out;
}

describe("noise calibrated to one visit", () => {
  it("a noisy report counts a visit's first views only; an exact one counts them all", async () => {
    const range = await siteWith([
      ...Array.from({ length: 12 }, () => ({ paths: ["/"] })),
      { paths: Array.from({ length: 50 }, () => "/a") },
    ]);
    const [exact] = await report(range, null);
    expect(exact!.pageViews).toBe(62);
    expect(exact!.pages.cells.find((c) => c.key === "/a")).toMatchObject({ views: 50, visitors: 1 });
    // u = 0.5 draws zero noise: what is left is the clipping.
    const [clipped] = await report(range, 1, 0.5);
    expect(clipped!.pageViews).toBe(12 + VIEWS_PER_VISIT);
    expect(clipped!.visitors).toBe(13);
    expect(clipped!.pages.cells.find((c) => c.key === "/a")).toMatchObject({
      views: VIEWS_PER_VISIT,
      visitors: 1,
    });
    // The visit's exit is still its last page, whatever was left out of the counts.
    expect(clipped!.exits.cells.find((c) => c.key === "/a")).toMatchObject({ visitors: 1 });
  });

  it("every count's noise has scale VISIT_SENSITIVITY / ε", async () => {
    const range = await siteWith(Array.from({ length: 20 }, () => ({ paths: ["/"] })));
    // u = 0.75 draws exactly scale · ln 2.
    for (const epsilon of [0.5, 1, 2]) {
      const [day] = await report(range, epsilon, 0.75);
      expect(day!.visitors).toBe(20 + Math.round((VISIT_SENSITIVITY / epsilon) * Math.LN2));
    }
  });

  it("removing any one visit moves the published counts, summed, by at most VISIT_SENSITIVITY", async () => {
    // Seeded, so a failure repeats: visits of 1–12 views over 6 pages and 3 referrers.
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 4; round++) {
      const visits = Array.from({ length: 8 + rand(6) }, () => ({
        paths: Array.from({ length: 1 + rand(12) }, () => `/p${rand(6)}`),
        referrer: [null, "search.example", "mail.example"][rand(3)]!,
      }));
      const full = counts((await report(await siteWith(visits), 1, 0.5))[0]!);
      for (let drop = 0; drop < visits.length; drop++) {
        const without = visits.filter((_, i) => i !== drop);
        const less = counts((await report(await siteWith(without), 1, 0.5))[0]!);
        const keys = new Set([...full.keys(), ...less.keys()]);
        let moved = 0;
        for (const k of keys) moved += Math.abs((full.get(k) ?? 0) - (less.get(k) ?? 0));
        expect(moved, `round ${round}, without visit ${drop}`).toBeLessThanOrEqual(VISIT_SENSITIVITY);
      }
    }
  });
});
