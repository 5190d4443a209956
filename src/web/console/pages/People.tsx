import { useState, type FormEvent } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert, cardGuard, Field, type FieldErrors } from "../../shared/forms.tsx";
import { day } from "../../shared/format.ts";
import type { PageProps } from "../pages.tsx";
import { staffMessage } from "../words.ts";

interface Summary {
  readonly id: string;
  readonly status: string;
  readonly jurisdiction: string | null;
  readonly createdAt: string;
}

interface FieldValue {
  readonly value: string;
  readonly collectionPoint: string;
  readonly purpose: string;
  readonly collectedAt: string;
}

interface Address {
  readonly addressId: string;
  readonly kind: string;
  readonly address: Readonly<Record<string, string | null>>;
  readonly provenance: { readonly collectionPoint: string; readonly collectedAt: string };
}

interface PersonRecord {
  readonly id: string;
  readonly status: string;
  readonly fields: Readonly<Partial<Record<string, FieldValue>>>;
  readonly addresses: readonly Address[];
  readonly decision: {
    readonly outcome: "allow" | "partial";
    readonly withheld: readonly {
      readonly field: string;
      readonly reason: string;
      readonly clause: string | null;
    }[];
    readonly clauses: readonly string[];
    readonly policy: { readonly version: string };
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const label = (field: string) => field.charAt(0).toUpperCase() + field.slice(1).replace(/_/g, " ");

/**
 * Find a person for a stated purpose: the purpose comes first, and every search and read is made
 * for it, so the record shows exactly the fields the gate allowed for that purpose, and each field
 * withheld with the gate's reason and clause. The email or phone searched for travels in the body,
 * never in the address bar.
 */
export function People({ me, policy }: PageProps) {
  const [purpose, setPurpose] = useState("");
  const [by, setBy] = useState<"email" | "phone" | "id">("email");
  const [value, setValue] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [found, setFound] = useState<readonly Summary[] | null>(null);
  const [record, setRecord] = useState<PersonRecord | null>(null);
  const [busy, setBusy] = useState(false);

  const names = new Map(policy.purposes.map((p) => [p.id, p.name ?? p.id]));

  const open = async (id: string) => {
    setBusy(true);
    setMessage(null);
    try {
      const { data } = await api<PersonRecord>(
        "GET",
        `/v1/subjects/${id}?purpose=${encodeURIComponent(purpose)}`,
      );
      setRecord(data);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setRecord(null);
      setMessage(staffMessage(error.problem));
    }
    setBusy(false);
  };

  const search = async (event: FormEvent) => {
    event.preventDefault();
    const problems: FieldErrors = {};
    if (purpose === "") problems.purpose = "Choose the purpose you need this person's information for.";
    if (value.trim() === "") problems.value = "Enter what to look for.";
    else if (by === "id" && !UUID.test(value.trim()))
      problems.value = "A person's id looks like 0b5c…-…: 36 characters.";
    Object.assign(problems, cardGuard({ value }));
    setErrors(problems);
    if (Object.keys(problems).length > 0) return;
    setRecord(null);
    setFound(null);
    if (by === "id") return void open(value.trim());
    setBusy(true);
    setMessage(null);
    try {
      const { data } = await api<{ items: Summary[] }>("POST", "/v1/subjects/search", {
        body: { purpose, [by]: value.trim() },
      });
      setFound(data.items);
      if (data.items.length === 1 && data.items[0]) await open(data.items[0].id);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setMessage(staffMessage(error.problem));
    }
    setBusy(false);
  };

  return (
    <>
      <h1>Find a person</h1>
      <p className="lead">
        Choose what you need the information for first: you will see only what the policy allows for that
        purpose.
      </p>
      <form onSubmit={(e) => void search(e)} noValidate className="finder">
        <div className="field">
          <label htmlFor="purpose">Purpose</label>
          <select
            id="purpose"
            value={purpose}
            aria-invalid={errors.purpose ? true : undefined}
            aria-describedby={errors.purpose ? "purpose-error" : undefined}
            onChange={(e) => {
              setPurpose(e.target.value);
              setRecord(null);
              setFound(null);
            }}
          >
            <option value="">Choose a purpose…</option>
            {me.purposes.map((id) => (
              <option key={id} value={id}>
                {names.get(id) ?? id}
              </option>
            ))}
          </select>
          {errors.purpose ? (
            <p id="purpose-error" className="field-error">
              {errors.purpose}
            </p>
          ) : null}
        </div>
        <fieldset>
          <legend>Look up by</legend>
          {(["email", "phone", "id"] as const).map((k) => (
            <span key={k} className="radio">
              <input
                id={`by-${k}`}
                type="radio"
                name="by"
                value={k}
                checked={by === k}
                onChange={() => setBy(k)}
              />
              <label htmlFor={`by-${k}`}>
                {k === "id" ? "By id" : k === "email" ? "By email" : "By phone"}
              </label>
            </span>
          ))}
        </fieldset>
        <Field
          label={by === "id" ? "Person's id" : by === "email" ? "Email address" : "Phone number"}
          name="value"
          type={by === "email" ? "email" : "text"}
          autoComplete="off"
          value={value}
          error={errors.value}
          onChange={(e) => setValue(e.target.value)}
        />
        <button type="submit" disabled={busy}>
          Find
        </button>
      </form>
      {message ? <Alert>{message}</Alert> : null}
      {found !== null && found.length !== 1 ? (
        <section aria-labelledby="results">
          <h2 id="results">{found.length === 0 ? "Nobody found" : `${found.length} people found`}</h2>
          {found.length > 0 ? (
            <table>
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Status</th>
                  <th scope="col">Jurisdiction</th>
                  <th scope="col">Since</th>
                </tr>
              </thead>
              <tbody>
                {found.map((s) => (
                  <tr key={s.id}>
                    <td>
                      <button type="button" className="link-button" onClick={() => void open(s.id)}>
                        {s.id}
                      </button>
                    </td>
                    <td>{s.status}</td>
                    <td>{s.jurisdiction ?? "—"}</td>
                    <td>{day(s.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>
      ) : null}
      {record ? <PersonView record={record} purpose={names.get(purpose) ?? purpose} /> : null}
    </>
  );
}

function PersonView({ record, purpose }: { record: PersonRecord; purpose: string }) {
  const shown = Object.entries(record.fields).filter((e): e is [string, FieldValue] => e[1] !== undefined);
  return (
    <section aria-labelledby="person" className="person">
      <h2 id="person">
        Person {record.id} <span className="status">({record.status})</span>
      </h2>
      <p>
        Shown for <strong>{purpose}</strong>, under policy version {record.decision.policy.version}
        {record.decision.clauses.length > 0 ? ` (clauses ${record.decision.clauses.join(", ")})` : ""}.
      </p>
      <h3>What this purpose allows</h3>
      {shown.length === 0 && record.addresses.length === 0 ? (
        <p>No field of this person is allowed for this purpose.</p>
      ) : (
        <table aria-label="Allowed fields">
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Value</th>
              <th scope="col">Collected</th>
            </tr>
          </thead>
          <tbody>
            {shown.map(([field, v]) => (
              <tr key={field}>
                <th scope="row">{label(field)}</th>
                <td>{v.value}</td>
                <td>
                  {v.collectionPoint}, {day(v.collectedAt)}
                </td>
              </tr>
            ))}
            {record.addresses.map((a) => (
              <tr key={a.addressId}>
                <th scope="row">{label(`${a.kind} address`)}</th>
                <td>
                  {[
                    a.address.name,
                    a.address.line1,
                    a.address.line2,
                    a.address.city,
                    a.address.region,
                    a.address.postalCode,
                    a.address.country,
                  ]
                    .filter((part) => part !== null && part !== "")
                    .join(", ")}
                </td>
                <td>
                  {a.provenance.collectionPoint}, {day(a.provenance.collectedAt)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Withheld for this purpose</h3>
      {record.decision.withheld.length === 0 ? (
        <p>Nothing: every field of the record is allowed for this purpose.</p>
      ) : (
        <table aria-label="Withheld fields">
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {record.decision.withheld.map((w) => (
              <tr key={w.field}>
                <th scope="row">{label(w.field)}</th>
                <td>
                  {w.reason.charAt(0).toUpperCase() + w.reason.slice(1)}
                  {w.clause ? ` (${w.clause})` : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
