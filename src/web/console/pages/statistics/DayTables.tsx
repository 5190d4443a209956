/** One table of a day's report: its published cells and how many it withheld. */
export interface CellTable {
  readonly cells: readonly {
    readonly key: string | null;
    readonly views: number;
    readonly visitors: number;
  }[];
  readonly withheld: number;
}

/** One day of GET /v1/analytics/report: a withheld day has no totals and empty tables. */
export interface DayReport {
  readonly day: string;
  readonly withheld: boolean;
  readonly pageViews: number | null;
  readonly visitors: number | null;
  readonly pages: CellTable;
  readonly referrers: CellTable;
  readonly entries: CellTable;
  readonly exits: CellTable;
}

/** A report's day (YYYY-MM-DD, a UTC day) as people read it, the same day in every time zone. */
export function utcDay(isoDay: string): string {
  return new Date(`${isoDay}T00:00:00Z`).toLocaleDateString(undefined, {
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
}

const TABLES = [
  { key: "pages", title: "Pages", header: "Page", noKey: "(none)" },
  {
    key: "referrers",
    title: "Referring sites",
    header: "Site",
    noKey: "None: typed in, or from the site itself",
  },
  { key: "entries", title: "Entry pages", header: "Page", noKey: "(none)" },
  { key: "exits", title: "Exit pages", header: "Page", noKey: "(none)" },
] as const;

/**
 * A day's pages, referring sites, entry and exit pages. A withheld cell shows neither its key nor
 * its counts (the API sends only how many there were): it is one of fewer visitors than the
 * minimum cohort, or the smallest cell beside one, withheld so that no small cell can be worked
 * out by subtracting the others from the day's total.
 */
export function DayTables(props: { day: DayReport; minCohort: number | null }) {
  const { day, minCohort } = props;
  const fewer = minCohort === null ? "too few visitors" : `fewer than ${minCohort} visitors`;
  return (
    <section aria-labelledby="statistics-day-title">
      <h3 id="statistics-day-title">{utcDay(day.day)}</h3>
      <p>
        {day.pageViews} page views by {day.visitors} visitors. A withheld row counts pages or sites with{" "}
        {fewer}, and, in a table that has any, its smallest other one, so that no small one can be worked out
        by subtracting the others from the day&apos;s total.
      </p>
      <div className="statistics-tables">
        {TABLES.map((t) => {
          const table = day[t.key];
          return (
            <div key={t.key} className="table-scroll">
              <table className="statistics-table">
                <caption>{t.title}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t.header}</th>
                    <th scope="col">Page views</th>
                    <th scope="col">Visitors</th>
                  </tr>
                </thead>
                <tbody>
                  {table.cells.map((c) => (
                    <tr key={c.key ?? ""}>
                      <th scope="row">{c.key ?? t.noKey}</th>
                      <td>{c.views}</td>
                      <td>{c.visitors}</td>
                    </tr>
                  ))}
                  {table.withheld > 0 ? (
                    <tr className="withheld">
                      <th scope="row">
                        {table.withheld} withheld <span className="hint">({fewer}, or beside one)</span>
                      </th>
                      <td>withheld</td>
                      <td>withheld</td>
                    </tr>
                  ) : null}
                  {table.cells.length === 0 && table.withheld === 0 ? (
                    <tr>
                      <td colSpan={3}>None.</td>
                    </tr>
                  ) : null}
                </tbody>
              </table>
            </div>
          );
        })}
      </div>
    </section>
  );
}
