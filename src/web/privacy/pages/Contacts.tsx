import { useState, type FormEvent } from "react";
import { api } from "../../shared/api.ts";
import { Alert, cardGuard, Field } from "../../shared/forms.tsx";
import { useList } from "../../shared/use-list.ts";
import type { Provenance } from "../types.ts";

interface Contact {
  contactId: string;
  name: string;
  email: string | null;
  phone: string | null;
  provenance: Provenance;
}

/** The contacts list answers a bare array. */
const readContacts = async (): Promise<Contact[]> =>
  (await api<Contact[]>("GET", "/v1/account/me/contacts")).data;

/**
 * My other contacts (ZM-07): people the account may be reached through, listed, added and removed
 * through GET/POST/DELETE /v1/account/me/contacts.
 */
export function Contacts() {
  const { items: contacts, errors, setErrors, message, busy, act } = useList(readContacts);
  const [values, setValues] = useState({ name: "", email: "", phone: "" });

  const add = async (event: FormEvent) => {
    event.preventDefault();
    const found = cardGuard(values);
    if (values.name.trim() === "") found.name = "Enter the contact's name.";
    if (values.email.trim() === "" && values.phone.trim() === "")
      found.email = "Enter an email address or a phone number.";
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const body = {
      name: values.name.trim(),
      ...(values.email.trim() === "" ? {} : { email: values.email.trim() }),
      ...(values.phone.trim() === "" ? {} : { phone: values.phone.trim() }),
    };
    if (await act(() => api("POST", "/v1/account/me/contacts", { body }), "Contact added."))
      setValues({ name: "", email: "", phone: "" });
  };
  const set = (name: keyof typeof values) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [name]: e.target.value }));

  return (
    <section aria-labelledby="contacts" className="panel">
      <h2 id="contacts">My other contacts</h2>
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      {contacts === null ? null : contacts.length === 0 ? (
        <p>No other contact on file.</p>
      ) : (
        <ul className="addresses">
          {contacts.map((c) => {
            const text = [c.name, c.email, c.phone].filter(Boolean).join(", ");
            return (
              <li key={c.contactId}>
                <span>{text}</span>
                <button
                  type="button"
                  className="secondary"
                  disabled={busy}
                  onClick={() =>
                    void act(
                      () => api("DELETE", `/v1/account/me/contacts/${c.contactId}`),
                      "Contact removed.",
                    )
                  }
                >
                  Remove<span className="visually-hidden"> {c.name}</span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <form onSubmit={(e) => void add(e)} noValidate>
        <fieldset>
          <legend>Add a contact</legend>
          <Field
            label="Contact's name"
            name="name"
            value={values.name}
            error={errors.name}
            onChange={set("name")}
          />
          <Field
            label="Contact's email address"
            name="email"
            type="email"
            value={values.email}
            error={errors.email}
            onChange={set("email")}
          />
          <Field
            label="Contact's phone number"
            name="phone"
            type="tel"
            value={values.phone}
            error={errors.phone}
            onChange={set("phone")}
          />
          <button type="submit" disabled={busy}>
            Add the contact
          </button>
        </fieldset>
      </form>
    </section>
  );
}
