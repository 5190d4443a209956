import { useMemo, useState, type FormEvent } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert, Field, type FieldErrors } from "../../shared/forms.tsx";
import { BarChart, type Series } from "../chart.tsx";
import type { PageProps } from "../pages.tsx";
import type { Me } from "../types.ts";
import { DayTables, utcDay, type DayReport } from "./statistics/DayTables.tsx";
import { statisticsRefusal } from "./statistics/words.ts";

/** GET /v1/analytics/report (src/modules/analytics/analytics.routes.ts). */
interface SiteReport {
  readonly site: string;
  readonly from: string;
  readonly to: string;
  readonly minCohort: number | null;
  readonly epsilon: number | null;
  readonly budget: {
    readonly limit: number;
    readonly periods: readonly { readonly period: string; readonly spent: number; readonly left: number }[];
  };
  readonly days: readonly DayReport[];
}

/** The API's longest report (MAX_REPORT_DAYS in analytics.service.ts). */
const MAX_DAYS = 92;
const EPSILON = /^(0|[1-9][0-9]?)(\.[0-9]{1,6})?$/;
const SITE = /^[A-Za-z0-9.:-]{1,253}$/;

/**
 * The member's purposes a site report can be asked under: those of the `analytics` data use
 * (`analytics.reporting.visitors`, `analytics.reporting.site_usage`…). The gate decides all the
 * same; a role with none of them is refused every report, so it is not shown the page.
 */
export function statisticsPurposes(me: Me): string[] {
  return me.purposes.filter((p) => p === "analytics" || p.startsWith("analytics."));
}

export function mayReadStatistics(me: Me): boolean {
  return statisticsPurposes(me).length > 0;
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const daysBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;

/**
 * Site statistics (docs/analytics.md): a site's page views and visitors by day over a period, and
 * each day's pages, referring sites, entry and exit pages. Days and cells of fewer visitors than
 * the pack's minimum cohort are withheld by the API and said to be so here. A report with noise
 * spends privacy budget (ε); the API refuses one the month cannot afford.
 */
export function Statistics({ me, policy }: PageProps) {
  const names = new Map(policy.purposes.map((p) => [p.id, p.name ?? p.id]));
  const purposes = statisticsPurposes(me);
  const today = new Date();
  const [site, setSite] = useState("");
  const [from, setFrom] = useState(isoDay(new Date(today.getTime() - 6 * 86_400_000)));
  const [to, setTo] = useState(isoDay(today));
  const [purpose, setPurpose] = useState(purposes[0] ?? "");
  const [epsilon, setEpsilon] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [report, setReport] = useState<SiteReport | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const checked = (): boolean => {
    const problems: FieldErrors = {};
    if (!SITE.test(site)) problems.site = "Enter the site's host name, such as shop.example.com.";
    if (!/^\d{4}-\d{2}-\d{2}$/.test(from)) problems.from = "Choose the first day.";
    if (!/^\d{4}-\d{2}-\d{2}$/.test(to)) problems.to = "Choose the last day.";
    else if (from > to) problems.to = "The last day must be on or after the first.";
    else if (daysBetween(from, to) > MAX_DAYS) problems.to = `A report covers at most ${MAX_DAYS} days.`;
    if (epsilon !== "" && (!EPSILON.test(epsilon) || Number(epsilon) <= 0 || Number(epsilon) > 10))
      problems.epsilon = "Enter a number above 0 and at most 10, such as 0.5, or leave it empty.";
    setErrors(problems);
    return Object.keys(problems).length === 0;
  };

  const show = async (event: FormEvent) => {
    event.preventDefault();
    if (!checked()) return;
    setBusy(true);
    setMessage(null);
    const query = new URLSearchParams({ site, from, to, purpose });
    if (epsilon !== "") query.set("epsilon", epsilon);
    try {
      const { data } = await api<SiteReport>("GET", `/v1/analytics/report?${query}`);
      setReport(data);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setReport(null);
      setMessage(statisticsRefusal(error.problem));
    }
    setBusy(false);
  };

  return (
    <>
      <h1>Site statistics</h1>
      <p className="lead">
        Page views and visitors of the company&apos;s sites, counted without cookies and shown as totals only:
        no one visitor&apos;s pages can be seen here.
      </p>
      <form className="panel" onSubmit={(e) => void show(e)} noValidate>
        <div className="report-choice">
          <Field
            label="Site"
            name="site"
            autoComplete="off"
            spellCheck={false}
            value={site}
            error={errors.site}
            onChange={(e) => setSite(e.target.value.trim())}
          />
          <Field
            label="From"
            name="from"
            type="date"
            value={from}
            error={errors.from}
            onChange={(e) => setFrom(e.target.value)}
          />
          <Field
            label="To"
            name="to"
            type="date"
            value={to}
            error={errors.to}
            onChange={(e) => setTo(e.target.value)}
          />
          {purposes.length > 1 ? (
            <div className="field">
              <label htmlFor="statistics-purpose">Purpose</label>
              <select id="statistics-purpose" value={purpose} onChange={(e) => setPurpose(e.target.value)}>
                {purposes.map((id) => (
                  <option key={id} value={id}>
                    {names.get(id) ?? id}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <Field
            label="Noise (ε, optional)"
            name="epsilon"
            inputMode="decimal"
            autoComplete="off"
            value={epsilon}
            error={errors.epsilon}
            hint="Empty: exact counts. With ε, every count gets random noise, and ε is spent from the site's privacy budget for each month of the period."
            onChange={(e) => setEpsilon(e.target.value.trim())}
          />
        </div>
        <p className="hint">Days are UTC days. A report covers at most {MAX_DAYS} days.</p>
        <button type="submit" disabled={busy}>
          Show statistics
        </button>
      </form>
      {message ? <Alert>{message}</Alert> : null}
      {report === null ? null : <Report report={report} />}
    </>
  );
}

function Report({ report }: { report: SiteReport }) {
  const k = report.minCohort;
  // Computed once per report: the chart redraws only when its labels or series change.
  const { shown, withheld, chart } = useMemo(() => {
    const shown = report.days.filter((d) => !d.withheld);
    const series: Series[] = [
      { label: "Page views", values: shown.map((d) => d.pageViews ?? 0) },
      { label: "Visitors", values: shown.map((d) => d.visitors ?? 0) },
    ];
    const labels = shown.map((d) => utcDay(d.day));
    return { shown, withheld: report.days.filter((d) => d.withheld), chart: { labels, series } };
  }, [report]);
  const [chosen, setChosen] = useState<string | null>(null);
  const day = shown.find((d) => d.day === chosen) ?? shown.at(-1);

  return (
    <section aria-labelledby="statistics-report">
      <h2 id="statistics-report">
        {report.site}, {utcDay(report.from)} to {utcDay(report.to)}
      </h2>
      <p role="status">
        {report.epsilon === null
          ? "Exact counts."
          : `Counts with random noise (ε ${report.epsilon}): small differences mean nothing.`}{" "}
        {k === null ? null : `Anything counting fewer than ${k} visitors is withheld.`}
      </p>
      <p>
        <strong>Privacy budget left</strong> (ε, of {report.budget.limit} a month):{" "}
        {report.budget.periods.map((b) => `${b.left} in ${b.period}`).join(", ")}.
      </p>
      {withheld.length > 0 ? (
        <p>
          <strong>Withheld days</strong> (fewer than {k ?? "the minimum number of"} visitors):{" "}
          {withheld.map((d) => utcDay(d.day)).join(", ")}.
        </p>
      ) : null}
      {shown.length === 0 ? (
        <p>No day of this period can be shown.</p>
      ) : (
        <>
          <BarChart
            title="Page views and visitors by day"
            labelHeader="Day"
            labels={chart.labels}
            series={chart.series}
          />
          {shown.length > 1 ? (
            <div className="field">
              <label htmlFor="statistics-day">Pages and referrers of</label>
              <select id="statistics-day" value={day?.day} onChange={(e) => setChosen(e.target.value)}>
                {shown.map((d) => (
                  <option key={d.day} value={d.day}>
                    {utcDay(d.day)}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          {day === undefined ? null : <DayTables day={day} minCohort={k} />}
        </>
      )}
    </section>
  );
}
