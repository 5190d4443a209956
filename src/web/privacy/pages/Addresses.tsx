import { useState, type FormEvent } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert, cardGuard, explain, Field, type FieldErrors } from "../../shared/forms.tsx";
import type { MyRecord } from "../types.ts";

const KINDS = [
  ["postal", "Postal address"],
  ["billing", "Billing address"],
  ["shipping", "Shipping address"],
] as const;

const EMPTY = { line1: "", line2: "", city: "", region: "", postalCode: "", country: "US" };
type Values = typeof EMPTY;

/**
 * My addresses (ZM-07): add one of the kinds the pack's self-service purpose reaches
 * (POST /v1/account/me/addresses), remove one (DELETE …/{kind}/{id}). `changed` reloads the record.
 */
export function Addresses(props: {
  addresses: MyRecord["addresses"];
  fields: readonly string[];
  changed: () => Promise<void>;
}) {
  const kinds = KINDS.filter(([k]) => props.fields.includes(`${k}_address`));
  const [kind, setKind] = useState<string>(kinds[0]?.[0] ?? "postal");
  const [values, setValues] = useState<Values>(EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  if (kinds.length === 0) return null;
  const set = (name: keyof Values) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [name]: e.target.value }));

  const act = async (work: () => Promise<unknown>, done: string) => {
    setBusy(true);
    try {
      await work();
      await props.changed();
      setMessage({ kind: "success", text: done });
      return true;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const explained = explain(error.problem, {
        line1: "line1",
        postalCode: "postalCode",
        zip: "postalCode",
      });
      const fields: FieldErrors = {};
      for (const [key, text] of Object.entries(explained.fields))
        fields[key.replace(/^address\//, "")] = text;
      setErrors(fields);
      setMessage({ kind: "error", text: explained.message });
      return false;
    } finally {
      setBusy(false);
    }
  };

  const add = async (event: FormEvent) => {
    event.preventDefault();
    const found = cardGuard(values);
    if (values.line1.trim() === "") found.line1 = "Enter the street and number.";
    if (values.city.trim() === "") found.city = "Enter the town or city.";
    if (values.postalCode.trim() === "") found.postalCode = "Enter the ZIP or postal code.";
    if (!/^[A-Za-z]{2}$/.test(values.country.trim()))
      found.country = "Enter the two-letter country code, e.g. US.";
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const address = {
      line1: values.line1.trim(),
      city: values.city.trim(),
      postalCode: values.postalCode.trim(),
      country: values.country.trim().toUpperCase(),
      ...(values.line2.trim() === "" ? {} : { line2: values.line2.trim() }),
      ...(values.region.trim() === "" ? {} : { region: values.region.trim() }),
    };
    const ok = await act(
      () => api("POST", "/v1/account/me/addresses", { body: { kind, address } }),
      "Address added.",
    );
    if (ok) setValues(EMPTY);
  };

  return (
    <section aria-labelledby="addresses" className="panel">
      <h2 id="addresses">My addresses</h2>
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      {props.addresses.length === 0 ? (
        <p>No address on file.</p>
      ) : (
        <ul className="addresses">
          {props.addresses.map((a) => {
            const text = [
              a.address.line1,
              a.address.line2,
              a.address.city,
              a.address.region,
              a.address.postalCode,
              a.address.country,
            ]
              .filter(Boolean)
              .join(", ");
            return (
              <li key={a.addressId}>
                <span>
                  <strong>{KINDS.find(([k]) => k === a.kind)?.[1] ?? a.kind}:</strong> {text}
                </span>{" "}
                <button
                  type="button"
                  className="secondary"
                  disabled={busy}
                  onClick={() =>
                    void act(
                      () => api("DELETE", `/v1/account/me/addresses/${a.kind}/${a.addressId}`),
                      "Address removed.",
                    )
                  }
                >
                  Remove<span className="visually-hidden"> {text}</span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <form onSubmit={(e) => void add(e)} noValidate>
        <fieldset>
          <legend>Add an address</legend>
          <div className="field">
            <label htmlFor="address-kind">Kind of address</label>
            <select id="address-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
              {kinds.map(([k, label]) => (
                <option key={k} value={k}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <Field
            label="Street and number"
            name="line1"
            autoComplete="address-line1"
            value={values.line1}
            error={errors.line1}
            onChange={set("line1")}
          />
          <Field
            label="Apartment, suite (optional)"
            name="line2"
            autoComplete="address-line2"
            value={values.line2}
            error={errors.line2}
            onChange={set("line2")}
          />
          <Field
            label="Town or city"
            name="city"
            autoComplete="address-level2"
            value={values.city}
            error={errors.city}
            onChange={set("city")}
          />
          <Field
            label="State or region (optional)"
            name="region"
            autoComplete="address-level1"
            value={values.region}
            error={errors.region}
            onChange={set("region")}
          />
          <Field
            label="Postal code (ZIP)"
            name="postalCode"
            autoComplete="postal-code"
            value={values.postalCode}
            error={errors.postalCode}
            onChange={set("postalCode")}
          />
          <Field
            label="Country code"
            name="country"
            autoComplete="country"
            hint="Two letters, e.g. US."
            value={values.country}
            error={errors.country}
            onChange={set("country")}
          />
          <button type="submit" disabled={busy}>
            Add the address
          </button>
        </fieldset>
      </form>
    </section>
  );
}
