import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api, ApiError } from "../../../shared/api.ts";
import { Alert, Field, Select } from "../../../shared/forms.tsx";
import { Link } from "../../../shared/router.tsx";
import { staffMessage } from "../../words.ts";
import { INSTRUMENT_WORDS } from "./words.ts";
import type { Instrument } from "../../../../modules/legal/legal.ts";

/** One line of GET /v1/legal/transparency (src/modules/legal/legal.schemas.ts). */
interface Line {
  readonly requests: number;
  readonly accounts: number;
  readonly produced: number;
  readonly producedPercent: number;
}
interface Report {
  readonly period: string;
  readonly from: string;
  readonly to: string;
  readonly total: Line;
  readonly byInstrument: readonly (Line & { readonly instrument: string })[];
  readonly byCountry: readonly (Line & { readonly country: string })[];
}

const HALVES = { "1": "January to June (H1)", "2": "July to December (H2)" };

/** The half-year we are in, in UTC, as the report counts. */
function thisHalf(): { year: string; half: "1" | "2" } {
  const now = new Date();
  return { year: String(now.getUTCFullYear()), half: now.getUTCMonth() < 6 ? "1" : "2" };
}

/**
 * The transparency report of a half-year the member chooses (GET /v1/legal/transparency): requests
 * received, accounts specified and requests where some data was produced, in all, by instrument
 * and by country. Counts only: no person, no reference.
 */
export function Transparency() {
  const [start] = useState(thisHalf);
  const [year, setYear] = useState(start.year);
  const [half, setHalf] = useState<"1" | "2">(start.half);
  const [yearError, setYearError] = useState<string | undefined>(undefined);
  const [report, setReport] = useState<Report | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const show = useCallback(async (period: string) => {
    setBusy(true);
    setMessage(null);
    try {
      setReport((await api<Report>("GET", `/v1/legal/transparency?period=${period}`)).data);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setReport(null);
      setMessage(staffMessage(error.problem));
    }
    setBusy(false);
  }, []);
  // The half-year we are in when the page opens; others are asked for with the form.
  useEffect(() => {
    void show(`${start.year}-H${start.half}`);
  }, [show, start]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const ok = /^\d{4}$/.test(year.trim());
    setYearError(ok ? undefined : "A year has four digits, e.g. 2026.");
    if (ok) void show(`${year.trim()}-H${half}`);
  };

  return (
    <>
      <p className="requests-back">
        <Link to="/console/legal">Back to the register</Link>
      </p>
      <h1>Transparency report</h1>
      <p className="lead">
        The figures large providers publish each half-year: requests received, accounts they specified, and
        requests where some data was produced. A request counts in the half-year it was received (UTC).
      </p>
      <form onSubmit={submit} noValidate className="report-choice">
        <Field
          label="Year"
          name="year"
          inputMode="numeric"
          maxLength={4}
          value={year}
          error={yearError}
          onChange={(e) => setYear(e.target.value)}
        />
        <Select
          label="Half-year"
          name="half"
          options={HALVES}
          value={half}
          onChange={(e) => setHalf(e.target.value as "1" | "2")}
        />
        <button type="submit" disabled={busy} className="legal-show">
          Show the report
        </button>
      </form>
      {message ? <Alert>{message}</Alert> : null}
      {report === null ? (
        message ? null : (
          <p aria-busy="true">Loading…</p>
        )
      ) : (
        <section aria-labelledby="legal-report" aria-busy={busy}>
          <h2 id="legal-report">{report.period}</h2>
          <p role="status">
            {report.total.requests === 0
              ? `No request was received in ${report.period}.`
              : `${report.total.requests} request${report.total.requests === 1 ? "" : "s"} received in ${report.period}, naming ${report.total.accounts} account${report.total.accounts === 1 ? "" : "s"}; data was produced for ${report.total.produced} (${report.total.producedPercent}%).`}
          </p>
          <Lines
            caption={`By instrument, ${report.period}`}
            head="Instrument"
            rows={report.byInstrument.map((l) => ({
              name: INSTRUMENT_WORDS[l.instrument as Instrument] ?? l.instrument,
              ...l,
            }))}
            total={report.total}
          />
          <Lines
            caption={`By country, ${report.period}`}
            head="Country"
            rows={report.byCountry.map((l) => ({ name: l.country, ...l }))}
            total={report.total}
          />
        </section>
      )}
    </>
  );
}

function Lines(props: {
  caption: string;
  head: string;
  rows: readonly (Line & { readonly name: string })[];
  total: Line;
}) {
  return (
    <div className="table-scroll">
      <table className="report-lines">
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{props.head}</th>
            <th scope="col">Requests</th>
            <th scope="col">Accounts specified</th>
            <th scope="col">Requests with data produced</th>
            <th scope="col">Share produced</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((l) => (
            <tr key={l.name}>
              <th scope="row">{l.name}</th>
              <td>{l.requests}</td>
              <td>{l.accounts}</td>
              <td>{l.produced}</td>
              <td>{l.producedPercent}%</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">All</th>
            <td>{props.total.requests}</td>
            <td>{props.total.accounts}</td>
            <td>{props.total.produced}</td>
            <td>{props.total.producedPercent}%</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
