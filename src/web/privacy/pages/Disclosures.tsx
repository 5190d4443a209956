import { useEffect, useState, type FormEvent } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert, explain } from "../../shared/forms.tsx";
import { day } from "../../shared/format.ts";
import type { PolicyView } from "../types.ts";

/** One disclosure that named the person, as GET /v1/account/me/disclosures gives it. */
interface Disclosure {
  disclosureId: string;
  recipientName: string;
  recipientKind: string;
  purpose: string;
  fields: string[];
  at: string;
}

/** A field's name as the person reads it ("first_name" → "first name"). */
const words = (id: string) => id.replace(/[._]/g, " ");

/**
 * Who my data was given to (ALL-04): every disclosure that named the person, newest first, with
 * the recipient, why (the purpose, in the policy's words where it names it), what was given and
 * when. Read from GET /v1/account/me/disclosures, audited as a read of the person's own record.
 */
export function Disclosures({ policy }: { policy: PolicyView }) {
  const [items, setItems] = useState<Disclosure[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    api<{ items: Disclosure[] }>("GET", "/v1/account/me/disclosures")
      .then(({ data }) => setItems([...data.items].reverse()))
      .catch((error: unknown) => {
        setProblem(
          error instanceof ApiError ? explain(error.problem).message : "The list could not be read.",
        );
      });
  }, []);
  const purposeName = (id: string) => policy.purposes.find((p) => p.id === id)?.name ?? words(id);

  return (
    <>
      <h1>Who my data was given to</h1>
      <p>
        Every time {policy.name} gave information about you to another company or an authority, it was written
        down: to whom, why, what, and when.
      </p>
      {problem ? <Alert kind="error">{problem}</Alert> : null}
      {items === null && problem === null ? <p>Loading…</p> : null}
      {items !== null && items.length === 0 ? (
        <p className="panel">Your information has not been given to anyone.</p>
      ) : null}
      {items !== null && items.length > 0 ? (
        <div className="table-scroll panel">
          <table>
            <caption>Newest first</caption>
            <thead>
              <tr>
                <th scope="col">Given to</th>
                <th scope="col">Why</th>
                <th scope="col">What</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.disclosureId}>
                  <th scope="row">{d.recipientName}</th>
                  <td>{purposeName(d.purpose)}</td>
                  <td>{d.fields.length === 0 ? "an anonymous token" : d.fields.map(words).join(", ")}</td>
                  <td>{day(d.at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <ShineTheLight />
    </>
  );
}

interface Report {
  year: number;
  categories: string[];
  recipients: {
    id: string;
    name: string;
    address: string | null;
    categories: string[];
    disclosures: number;
  }[];
}

/**
 * Shine the Light (California Civil Code §1798.83, Z19-10): for one calendar year, the kinds of
 * information given to other companies for their own marketing, and those companies' names and
 * addresses (GET /v1/account/me/shine-the-light).
 */
function ShineTheLight() {
  const last = new Date().getFullYear() - 1;
  const years = [last, last - 1, last - 2, last - 3];
  const [year, setYear] = useState(String(last));
  const [report, setReport] = useState<Report | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const show = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    try {
      setReport((await api<Report>("GET", `/v1/account/me/shine-the-light?year=${year}`)).data);
    } catch (error) {
      setProblem(
        error instanceof ApiError ? explain(error.problem).message : "The report could not be read.",
      );
    }
  };
  return (
    <section aria-labelledby="shine" className="panel">
      <h2 id="shine">Given to other companies for their own marketing</h2>
      <p>
        For a calendar year: what kinds of information about you went to other companies for their direct
        marketing, and who they are.
      </p>
      <form className="compare" onSubmit={(e) => void show(e)}>
        <div>
          <label htmlFor="shine-year">Year</label>
          <select id="shine-year" value={year} onChange={(e) => setYear(e.target.value)}>
            {years.map((y) => (
              <option key={y}>{y}</option>
            ))}
          </select>
        </div>
        <button type="submit">Show the report</button>
      </form>
      {problem ? <Alert kind="error">{problem}</Alert> : null}
      {report === null ? null : report.recipients.length === 0 ? (
        <p role="status">
          In {report.year}, nothing about you was given to another company for its own marketing.
        </p>
      ) : (
        <>
          <p role="status">
            In {report.year}: {report.categories.map(words).join(", ")}, to {report.recipients.length}{" "}
            {report.recipients.length === 1 ? "company" : "companies"}.
          </p>
          <ul className="addresses">
            {report.recipients.map((r) => (
              <li key={r.id}>
                <span>
                  <strong>{r.name}</strong>
                  {r.address === null ? "" : `, ${r.address}`}: {r.categories.map(words).join(", ")}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
