import { useEffect, useMemo, useState, type FormEvent } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert, Field, type FieldErrors } from "../../shared/forms.tsx";
import { BarChart, type Series } from "../chart.tsx";
import type { PageProps } from "../pages.tsx";
import { staffMessage } from "../words.ts";

/** GET /v1/recipients (src/modules/disclosures/disclosures.schemas.ts). */
interface Recipient {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly categories: readonly string[];
  readonly purposes: readonly string[];
  readonly onFile: {
    readonly legalName: string;
    readonly address: string;
    readonly contractRef: string | null;
    readonly contractSignedOn: string | null;
    readonly contractExpiresOn: string | null;
    readonly updatedAt: string;
  } | null;
  readonly contractOnFile: boolean;
}

/** GET /v1/reports/disclosures: one line per recipient and category. */
interface ReportLine {
  readonly recipient: string;
  readonly recipientKind: string;
  readonly category: string;
  readonly disclosures: number;
  readonly people: number;
}

/** GET /v1/reports/shine-the-light. */
interface ShineTheLight {
  readonly subjectId: string;
  readonly year: number;
  readonly categories: readonly string[];
  readonly recipients: readonly {
    readonly id: string;
    readonly name: string;
    readonly address: string | null;
    readonly categories: readonly string[];
    readonly disclosures: number;
  }[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Who the company gives data to: the recipients of the policy in force with what is on file
 * about them, the company-wide disclosures report for a year (a chart per recipient and
 * category, its numbers in the table under it), and one person's Shine the Light report. The
 * reports are uses for a purpose the member's role must hold; the person's id travels in the
 * API's query, never in the page's address.
 */
export function Disclosures({ me, policy }: PageProps) {
  const names = new Map(policy.purposes.map((p) => [p.id, p.name ?? p.id]));
  const [recipients, setRecipients] = useState<readonly Recipient[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [year, setYear] = useState(String(new Date().getFullYear()));
  const [purpose, setPurpose] = useState(me.purposes[0] ?? "");
  const [errors, setErrors] = useState<FieldErrors>({});

  useEffect(() => {
    api<{ items: Recipient[] }>("GET", "/v1/recipients").then(
      ({ data }) => setRecipients(data.items),
      (error: unknown) => {
        if (!(error instanceof ApiError)) throw error;
        setMessage(staffMessage(error.problem));
      },
    );
  }, []);

  const checked = (): boolean => {
    const problems: FieldErrors = {};
    if (!/^(19|20|21)[0-9]{2}$/.test(year)) problems.year = "Enter a year of four digits, such as 2026.";
    if (purpose === "") problems.purpose = "Choose the purpose the report is for.";
    setErrors(problems);
    return Object.keys(problems).length === 0;
  };

  return (
    <>
      <h1>Disclosures</h1>
      <p className="lead">
        Who receives customers&apos; data, under which contract, and what was given to them.
      </p>
      {message ? <Alert>{message}</Alert> : null}
      <section aria-labelledby="recipients">
        <h2 id="recipients">Recipients</h2>
        {recipients === null ? (
          <p aria-busy="true">Loading…</p>
        ) : (
          <RecipientsTable recipients={recipients} purposeName={(id) => names.get(id) ?? id} />
        )}
      </section>
      <section aria-labelledby="reports" className="panel">
        <h2 id="reports">Reports for a year</h2>
        <div className="report-choice">
          <Field
            label="Year"
            name="year"
            inputMode="numeric"
            autoComplete="off"
            value={year}
            error={errors.year}
            onChange={(e) => setYear(e.target.value.trim())}
          />
          <div className="field">
            <label htmlFor="report-purpose">Purpose</label>
            <select
              id="report-purpose"
              value={purpose}
              aria-invalid={errors.purpose ? true : undefined}
              aria-describedby={errors.purpose ? "report-purpose-error" : undefined}
              onChange={(e) => setPurpose(e.target.value)}
            >
              {me.purposes.map((id) => (
                <option key={id} value={id}>
                  {names.get(id) ?? id}
                </option>
              ))}
            </select>
            {errors.purpose ? (
              <p id="report-purpose-error" className="field-error">
                {errors.purpose}
              </p>
            ) : null}
          </div>
        </div>
        <CompanyReport year={year} purpose={purpose} checked={checked} />
        <ShineReport year={year} purpose={purpose} checked={checked} />
      </section>
    </>
  );
}

function RecipientsTable(props: { recipients: readonly Recipient[]; purposeName: (id: string) => string }) {
  if (props.recipients.length === 0) return <p>The policy in force names no recipient.</p>;
  return (
    <div className="table-scroll">
      <table className="recipients">
        <caption className="visually-hidden">Recipients of the policy in force</caption>
        <thead>
          <tr>
            <th scope="col">Recipient</th>
            <th scope="col">Kind</th>
            <th scope="col">Categories it may receive</th>
            <th scope="col">For</th>
            <th scope="col">On file</th>
          </tr>
        </thead>
        <tbody>
          {props.recipients.map((r) => (
            <tr key={r.id}>
              <th scope="row">
                {r.name} <span className="clause-id">{r.id}</span>
              </th>
              <td>{r.kind.replace(/_/g, " ")}</td>
              <td>{r.categories.join(", ") || "—"}</td>
              <td>{r.purposes.map(props.purposeName).join(", ") || "—"}</td>
              <td>
                {r.onFile === null ? (
                  <span className="missing">Nothing on file</span>
                ) : (
                  <>
                    {r.onFile.legalName}, {r.onFile.address}.{" "}
                    {r.contractOnFile ? (
                      <>
                        Contract {r.onFile.contractRef ?? "(no reference)"}
                        {r.onFile.contractSignedOn ? `, signed ${r.onFile.contractSignedOn}` : ""}
                        {r.onFile.contractExpiresOn ? `, expires ${r.onFile.contractExpiresOn}` : ""}.
                      </>
                    ) : (
                      <span className="missing">No contract on file.</span>
                    )}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** GET /v1/reports/disclosures over the calendar year in UTC. */
function CompanyReport(props: { year: string; purpose: string; checked: () => boolean }) {
  const [lines, setLines] = useState<{ year: string; items: readonly ReportLine[] } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const show = async (event: FormEvent) => {
    event.preventDefault();
    if (!props.checked()) return;
    setBusy(true);
    setMessage(null);
    const y = Number(props.year);
    const query = new URLSearchParams({
      from: `${y}-01-01T00:00:00Z`,
      to: `${y + 1}-01-01T00:00:00Z`,
      purpose: props.purpose,
    });
    try {
      const { data } = await api<{ items: ReportLine[] }>("GET", `/v1/reports/disclosures?${query}`);
      setLines({ year: props.year, items: data.items });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setMessage(staffMessage(error.problem));
    }
    setBusy(false);
  };

  // One bar per recipient and category: a disclosure of several categories counts in each.
  const chart = useMemo(() => {
    const items = lines?.items ?? [];
    const recipients = [...new Set(items.map((l) => l.recipient))];
    const categories = [...new Set(items.map((l) => l.category))];
    const series: Series[] = categories.map((c) => ({
      label: c,
      values: recipients.map(
        (r) => items.find((l) => l.recipient === r && l.category === c)?.disclosures ?? 0,
      ),
    }));
    return { recipients, series };
  }, [lines]);

  return (
    <section aria-labelledby="company-report">
      <h3 id="company-report">All disclosures</h3>
      <form onSubmit={(e) => void show(e)}>
        <p className="hint">From 1 January to 31 December of the year, in UTC.</p>
        <button type="submit" disabled={busy}>
          Show the disclosures report
        </button>
      </form>
      {message ? <Alert>{message}</Alert> : null}
      {lines === null ? null : lines.items.length === 0 ? (
        <p role="status">Nothing was disclosed in {lines.year}.</p>
      ) : (
        <>
          <p role="status">
            {lines.year}: {lines.items.length} {lines.items.length === 1 ? "line" : "lines"} by recipient and
            category.
          </p>
          <div className="table-scroll">
            <table className="report-lines">
              <caption>Disclosures in {lines.year}, by recipient and category</caption>
              <thead>
                <tr>
                  <th scope="col">Recipient</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Category</th>
                  <th scope="col">Disclosures</th>
                  <th scope="col">People</th>
                </tr>
              </thead>
              <tbody>
                {lines.items.map((l) => (
                  <tr key={`${l.recipient}:${l.category}`}>
                    <th scope="row">{l.recipient}</th>
                    <td>{l.recipientKind.replace(/_/g, " ")}</td>
                    <td>{l.category}</td>
                    <td>{l.disclosures}</td>
                    <td>{l.people}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <BarChart
            title={`Disclosures per recipient in ${lines.year}, by category`}
            labels={chart.recipients}
            series={chart.series}
            labelHeader="Recipient"
          />
        </>
      )}
    </section>
  );
}

/** GET /v1/reports/shine-the-light for one person and the year (Z19-10). */
function ShineReport(props: { year: string; purpose: string; checked: () => boolean }) {
  const [subjectId, setSubjectId] = useState("");
  const [error, setError] = useState<string | undefined>(undefined);
  const [report, setReport] = useState<ShineTheLight | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const show = async (event: FormEvent) => {
    event.preventDefault();
    const ok = props.checked();
    const id = subjectId.trim();
    setError(UUID.test(id) ? undefined : "A person's id looks like 0b5c…-…: 36 characters.");
    if (!ok || !UUID.test(id)) return;
    setBusy(true);
    setMessage(null);
    setReport(null);
    const query = new URLSearchParams({ subjectId: id, year: props.year, purpose: props.purpose });
    try {
      setReport((await api<ShineTheLight>("GET", `/v1/reports/shine-the-light?${query}`)).data);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setMessage(staffMessage(error.problem));
    }
    setBusy(false);
  };

  return (
    <section aria-labelledby="shine">
      <h3 id="shine">Shine the Light, for one person</h3>
      <p className="hint">
        The categories disclosed to third parties for their own direct marketing in the year, and to whom
        (California Civil Code 1798.83).
      </p>
      <form onSubmit={(e) => void show(e)} noValidate className="finder">
        <Field
          label="Person's id"
          name="shineSubjectId"
          autoComplete="off"
          value={subjectId}
          error={error}
          onChange={(e) => setSubjectId(e.target.value)}
        />
        <button type="submit" disabled={busy}>
          Show the Shine the Light report
        </button>
      </form>
      {message ? <Alert>{message}</Alert> : null}
      {report === null ? null : (
        <div className="shine-report">
          <p role="status">
            {report.year}:{" "}
            {report.categories.length === 0
              ? "nothing about this person was disclosed for direct marketing."
              : `categories disclosed: ${report.categories.join(", ")}.`}
          </p>
          {report.recipients.length > 0 ? (
            <table>
              <caption>Recipients for direct marketing in {report.year}</caption>
              <thead>
                <tr>
                  <th scope="col">Recipient</th>
                  <th scope="col">Address</th>
                  <th scope="col">Categories</th>
                  <th scope="col">Disclosures</th>
                </tr>
              </thead>
              <tbody>
                {report.recipients.map((r) => (
                  <tr key={r.id}>
                    <th scope="row">{r.name}</th>
                    <td>{r.address ?? "—"}</td>
                    <td>{r.categories.join(", ")}</td>
                    <td>{r.disclosures}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
      )}
    </section>
  );
}
