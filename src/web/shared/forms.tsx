import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from "react";
import { containsCardNumber } from "../../crypto/cards.ts";
import type { Problem } from "./api.ts";

/**
 * Form pieces every page uses: a labelled field whose error is announced and tied to it
 * (aria-describedby, aria-invalid), a page-level alert, and the card guard. The guard is the
 * server's own (src/crypto/cards.ts): a card number typed into any field is refused before
 * anything is sent, as the API would refuse it (PLEDGE_CARD_NUMBER_REFUSED).
 */
export type FieldErrors = Record<string, string>;

export function Field(
  props: {
    label: string;
    name: string;
    error?: string | undefined;
    hint?: ReactNode;
  } & InputHTMLAttributes<HTMLInputElement>,
) {
  const { label, name, error, hint, ...input } = props;
  const id = useId();
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      <input
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={described || undefined}
        {...input}
      />
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A labelled list to choose from, its error tied to it like Field's. `options`: value → words. */
export function Select(
  props: {
    label: string;
    name: string;
    options: Readonly<Record<string, string>>;
    /** The first option, with the value "": "Choose…", "All channels". */
    none?: string;
    error?: string | undefined;
  } & SelectHTMLAttributes<HTMLSelectElement>,
) {
  const { label, name, options, none, error, ...select } = props;
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        {...select}
      >
        {none === undefined ? null : <option value="">{none}</option>}
        {Object.entries(options).map(([value, words]) => (
          <option key={value} value={value}>
            {words}
          </option>
        ))}
      </select>
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function Alert(props: { children: ReactNode; kind?: "error" | "success" }) {
  const kind = props.kind ?? "error";
  return (
    <div className={`alert alert-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {props.children}
    </div>
  );
}

/** The fields of a form holding a card number, by name: they are refused before anything is sent. */
export function cardGuard(values: Record<string, string>): FieldErrors {
  const errors: FieldErrors = {};
  for (const [name, value] of Object.entries(values)) {
    if (containsCardNumber(value)) {
      errors[name] =
        "This looks like a payment card number. We never take card numbers here: please remove it.";
    }
  }
  return errors;
}

/**
 * The API's problem in a customer's words, and per field where the API names one: a schema error's
 * path (`body/email`) or a value the record refused (an invalid email).
 */
export function explain(
  problem: Problem,
  fieldOf: Record<string, string> = {},
): { message: string; fields: FieldErrors } {
  const fields: FieldErrors = {};
  for (const e of problem.errors ?? []) {
    const key = e.path.replace(/^body\/?/, "").split("/")[0] ?? "";
    const field = fieldOf[key] ?? key;
    if (field !== "") fields[field] = `This ${field.replace(/_/g, " ")} ${e.message}.`;
  }
  const byCode: Record<string, [string, string | null]> = {
    PLEDGE_INVALID_EMAIL: ["That email address does not look right.", "email"],
    PLEDGE_INVALID_PHONE: [
      "That phone number does not look right: include the country code, e.g. +1 555 0100.",
      "phone",
    ],
    PLEDGE_INVALID_POSTAL_CODE: ["That ZIP or postal code does not look right.", "zip"],
    PLEDGE_PASSWORD_WEAK: [`Choose another password: ${problem.detail}.`, "password"],
    PLEDGE_CARD_NUMBER_REFUSED: ["We never take payment card numbers here: please remove it.", null],
    PLEDGE_DUPLICATE_IDENTITY: [
      "There is already an account with this email address. Sign in instead.",
      "email",
    ],
    PLEDGE_SIGNIN_FAILED: ["The email address or password is not right.", null],
    PLEDGE_SIGNIN_BACKOFF: [`Too many attempts: ${problem.detail}.`, null],
    PLEDGE_RATE_LIMITED: ["Too many attempts from here. Please wait a minute and try again.", null],
    PLEDGE_PRECONDITION_FAILED: [
      "Your information was changed somewhere else since this page loaded. We have loaded the latest version: check it and make your change again.",
      null,
    ],
    PLEDGE_SESSION_REQUIRED: ["You are signed out. Please sign in again.", null],
    PLEDGE_TLS_REQUIRED: ["This page must be opened over a secure (https) connection.", null],
  };
  const known = byCode[problem.code];
  if (known !== undefined) {
    const [message, field] = known;
    if (field !== null) fields[fieldOf[field] ?? field] = message;
    return { message, fields };
  }
  if (problem.code === "PLEDGE_UNDER_MINIMUM_AGE" || problem.code === "PLEDGE_USE_REFUSED") {
    return { message: sentence(problem.detail), fields };
  }
  if (Object.keys(fields).length > 0) return { message: "Some answers need another look.", fields };
  return { message: sentence(problem.detail || problem.title), fields };
}

function sentence(text: string): string {
  const t = text.trim();
  if (t === "") return "Something went wrong. Please try again.";
  return t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? "" : ".");
}
