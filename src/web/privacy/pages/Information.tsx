import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert, cardGuard, explain, Field, type FieldErrors } from "../../shared/forms.tsx";
import { collectionPoint, day } from "../../shared/format.ts";
import type { MyRecord, Provenance } from "../types.ts";
import { Addresses } from "./Addresses.tsx";
import { Contacts } from "./Contacts.tsx";
import { PaymentMethods } from "./PaymentMethods.tsx";
import { Services } from "./Services.tsx";
import { PasswordChange } from "./Password.tsx";

/** The fields a customer edits on their own record (src/modules/customers/self-service.ts). */
const EDITABLE = [
  ["first_name", "First name", "given-name"],
  ["last_name", "Last name", "family-name"],
  ["email", "Email address", "email"],
  ["phone", "Phone number", "tel"],
  ["zip", "ZIP or postal code", "postal-code"],
  ["interests", "Interests", "off"],
] as const;
type Editable = (typeof EDITABLE)[number][0];

const LABELS: Record<string, string> = {
  customer_number: "Customer number",
  ...Object.fromEntries(EDITABLE.map(([f, l]) => [f, l])),
};

function collected(p: Provenance): string {
  return `${day(p.collectedAt)}, ${collectionPoint(p.collectionPoint)} (policy of ${p.policyVersion})`;
}

/**
 * My information (Z16-17, Z19-09, ZM-07): what the record holds, each datum with where and when it
 * was collected, and the profile form. A change is sent with the version it was made on
 * (If-Match), so a change made elsewhere since is shown, never overwritten.
 */
export function Information({ fields }: { fields: readonly string[] }) {
  const editable = EDITABLE.filter(([f]) => fields.includes(f));
  const [record, setRecord] = useState<MyRecord | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [values, setValues] = useState<Record<Editable, string>>(() => blank());
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const answer = await api<MyRecord>("GET", "/v1/account/me");
    setRecord(answer.data);
    setEtag(answer.etag);
    setValues(fromRecord(answer.data));
  }, []);

  useEffect(() => {
    load().catch((error: unknown) => {
      if (error instanceof ApiError) setMessage({ kind: "error", text: explain(error.problem).message });
    });
  }, [load]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (record === null || etag === null) return;
    const found = cardGuard(values);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setMessage({ kind: "error", text: "Some answers need another look." });
      return;
    }
    const before = fromRecord(record);
    const changes: Partial<Record<Editable, string | null>> = {};
    for (const [field] of editable) {
      const value = values[field].trim();
      if (value !== before[field]) changes[field] = value === "" ? null : value;
    }
    if (Object.keys(changes).length === 0) {
      setMessage({ kind: "success", text: "Nothing to save: no changes." });
      return;
    }
    setBusy(true);
    try {
      await api("PATCH", "/v1/account/me", { body: changes, ifMatch: etag });
      await load();
      setMessage({ kind: "success", text: "Saved." });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const explained = explain(error.problem);
      if (error.problem.code === "PLEDGE_PRECONDITION_FAILED") {
        // A stale edit: show what is stored now, keep nothing of ours over it.
        const typed = values;
        await load();
        setErrors(
          Object.fromEntries(
            EDITABLE.filter(([f]) => typed[f].trim() !== before[f]).map(([f]) => [
              f,
              `You typed "${typed[f]}"; the value stored now is shown.`,
            ]),
          ),
        );
      } else setErrors(explained.fields);
      setMessage({ kind: "error", text: explained.message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>My information</h1>
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      {record === null ? (
        <p>Loading your information…</p>
      ) : (
        <>
          <section aria-labelledby="held" className="panel">
            <h2 id="held">What we hold</h2>
            <table>
              <caption>Your record, with where and when each item was collected</caption>
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col">Value</th>
                  <th scope="col">Collected</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(record.fields).map(([field, datum]) =>
                  datum === undefined ? null : (
                    <tr key={field}>
                      <th scope="row">{LABELS[field] ?? field.replace(/_/g, " ")}</th>
                      <td>{datum.value}</td>
                      <td>{collected(datum)}</td>
                    </tr>
                  ),
                )}
                {record.addresses.map((a) => (
                  <tr key={a.addressId}>
                    <th scope="row">{a.kind.charAt(0).toUpperCase() + a.kind.slice(1)} address</th>
                    <td>
                      {[
                        a.address.line1,
                        a.address.line2,
                        a.address.city,
                        a.address.region,
                        a.address.postalCode,
                        a.address.country,
                      ]
                        .filter(Boolean)
                        .join(", ")}
                    </td>
                    <td>{collected(a.provenance)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section aria-labelledby="edit" className="panel">
            <h2 id="edit">Change my details</h2>
            <form onSubmit={(e) => void submit(e)} noValidate>
              {editable.map(([field, label, autoComplete]) => (
                <Field
                  key={field}
                  label={label}
                  name={field}
                  type={field === "email" ? "email" : field === "phone" ? "tel" : "text"}
                  autoComplete={autoComplete}
                  value={values[field]}
                  error={errors[field]}
                  onChange={(e) => setValues((v) => ({ ...v, [field]: e.target.value }))}
                />
              ))}
              <button type="submit" disabled={busy}>
                Save changes
              </button>
            </form>
          </section>
          <Addresses addresses={record.addresses} fields={fields} changed={load} />
          {fields.includes("email") ? <Contacts /> : null}
          {fields.includes("services") ? <Services /> : null}
          {fields.includes("card_last4") ? <PaymentMethods /> : null}
          <PasswordChange />
        </>
      )}
    </>
  );
}

function blank(): Record<Editable, string> {
  return Object.fromEntries(EDITABLE.map(([f]) => [f, ""])) as Record<Editable, string>;
}

function fromRecord(record: MyRecord): Record<Editable, string> {
  return Object.fromEntries(EDITABLE.map(([f]) => [f, record.fields[f]?.value ?? ""])) as Record<
    Editable,
    string
  >;
}
