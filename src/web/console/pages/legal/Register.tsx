import { useState, type FormEvent } from "react";
import {
  AUTHORITY_PATTERN,
  COUNTRY_PATTERN,
  INSTRUMENTS,
  REFERENCE_PATTERN,
  type LegalRequest,
  type NewLegalRequest,
} from "../../../../modules/legal/legal.ts";
import { api, ApiError } from "../../../shared/api.ts";
import { Alert, cardGuard, Field, Select, type FieldErrors } from "../../../shared/forms.tsx";
import { Link, navigate } from "../../../shared/router.tsx";
import { staffMessage } from "../../words.ts";
import { INSTRUMENT_WORDS } from "./words.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Emergencies are recorded after the fact, with a justification (POST /v1/legal/emergencies). */
const REGISTRABLE = Object.fromEntries(
  INSTRUMENTS.filter((i) => i !== "emergency").map((i) => [i, INSTRUMENT_WORDS[i]]),
);
const EMPTY = {
  authority: "",
  country: "",
  instrument: "",
  reference: "",
  ground: "",
  subjects: "",
  fields: "",
  nondisclosureUntil: "",
};
type Values = typeof EMPTY;

/** The field a refusal of the API is about: its words are shown beside it too. */
const AT_FAULT: Record<string, keyof Values> = {
  PLEDGE_LEGAL_GROUND_REFUSED: "ground",
  PLEDGE_UNKNOWN_FIELD: "fields",
  PLEDGE_NOT_FOUND: "subjects",
};

/** A list typed with commas, spaces or one item a line. */
const items = (text: string) => [...new Set(text.split(/[\s,]+/).filter((s) => s !== ""))];

/** What the form can tell before anything is sent, checked as the API checks it. */
function check(v: Values): FieldErrors {
  const errors: FieldErrors = {};
  if (!new RegExp(AUTHORITY_PATTERN).test(v.authority.trim()))
    errors.authority = "Name the authority that sent the request (2 to 200 characters).";
  if (!new RegExp(COUNTRY_PATTERN).test(v.country))
    errors.country = "The authority's country as two capital letters (ISO 3166-1), e.g. US or DE.";
  if (v.instrument === "") errors.instrument = "Choose the kind of instrument.";
  if (!new RegExp(REFERENCE_PATTERN).test(v.reference.trim()))
    errors.reference =
      "The authority's case, docket or request number: letters, digits, spaces and . _ / : # - only.";
  if (v.ground.trim() === "") errors.ground = "Name the ground the request rests on.";
  const people = items(v.subjects);
  if (people.length === 0) errors.subjects = "Give the id of at least one person the request names.";
  else if (people.some((p) => !UUID.test(p)))
    errors.subjects =
      "A person's id looks like 0b5c…-…: 36 characters. Find people on the Find a person page.";
  if (items(v.fields).length === 0) errors.fields = "Name at least one field the request asks for.";
  return { ...errors, ...cardGuard({ authority: v.authority, reference: v.reference }) };
}

/**
 * Registers a request as received by the member signed in (POST /v1/legal/requests); nothing is
 * produced yet. The people are named by their ids, found on the Find a person page, so no personal
 * value is typed here. On success, the request's own page.
 */
export function Register() {
  const [values, setValues] = useState<Values>(EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (name: keyof Values) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [name]: e.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = check(values);
    setErrors(found);
    setMessage(null);
    if (Object.keys(found).length > 0) {
      setMessage("Some answers need another look: nothing was registered.");
      return;
    }
    const body: NewLegalRequest = {
      authority: values.authority.trim(),
      country: values.country,
      instrument: values.instrument as NewLegalRequest["instrument"],
      reference: values.reference.trim(),
      ground: values.ground.trim(),
      subjects: items(values.subjects),
      fields: items(values.fields),
      ...(values.nondisclosureUntil === ""
        ? {}
        : { nondisclosureUntil: `${values.nondisclosureUntil}T00:00:00.000Z` }),
    };
    setBusy(true);
    try {
      const { data } = await api<LegalRequest>("POST", "/v1/legal/requests", { body });
      navigate(`/console/legal/${data.id}`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const words = staffMessage(error.problem);
      const field = AT_FAULT[error.problem.code];
      if (field !== undefined) setErrors({ [field]: words });
      setMessage(`Nothing was registered. ${words}`);
      setBusy(false);
    }
  };

  return (
    <>
      <p className="requests-back">
        <Link to="/console/legal">Back to the register</Link>
      </p>
      <h1>Register a legal request</h1>
      <p className="lead">
        Record the request as it arrived. You are its receiver: two other staff members approve it before
        anything is produced.
      </p>
      {message ? <Alert>{message}</Alert> : null}
      <form onSubmit={(e) => void submit(e)} noValidate className="legal-form">
        <Field
          label="Authority"
          name="authority"
          value={values.authority}
          onChange={set("authority")}
          error={errors.authority}
          hint="e.g. Arlington County Police"
        />
        <Field
          label="Country"
          name="country"
          value={values.country}
          onChange={(e) => setValues((v) => ({ ...v, country: e.target.value.toUpperCase() }))}
          error={errors.country}
          hint="Two letters, e.g. US"
          maxLength={2}
          autoComplete="off"
        />
        <Select
          label="Instrument"
          name="instrument"
          options={REGISTRABLE}
          none="Choose…"
          value={values.instrument}
          onChange={set("instrument")}
          error={errors.instrument}
        />
        <Field
          label="Reference"
          name="reference"
          value={values.reference}
          onChange={set("reference")}
          error={errors.reference}
          hint="The authority's case, docket or request number"
          autoComplete="off"
        />
        <Field
          label="Ground"
          name="ground"
          value={values.ground}
          onChange={set("ground")}
          error={errors.ground}
          hint="One of the policy's disclosure grounds, e.g. card_fraud"
          autoComplete="off"
        />
        <TextArea
          label="People (their ids)"
          name="subjects"
          value={values.subjects}
          onChange={set("subjects")}
          error={errors.subjects}
          hint="One id a line, as the Find a person page shows them"
        />
        <Field
          label="Fields"
          name="fields"
          value={values.fields}
          onChange={set("fields")}
          error={errors.fields}
          hint="The fields the instrument asks for, separated by commas, e.g. first_name, email"
          autoComplete="off"
        />
        <Field
          label="Non-disclosure order until (optional)"
          name="nondisclosureUntil"
          type="date"
          value={values.nondisclosureUntil}
          onChange={set("nondisclosureUntil")}
          hint="The people are told of a production from this day (UTC), not before"
        />
        <button type="submit" disabled={busy}>
          Register the request
        </button>
      </form>
    </>
  );
}

function TextArea(props: {
  label: string;
  name: string;
  value: string;
  hint: string;
  error: string | undefined;
  onChange: (e: { target: { value: string } }) => void;
}) {
  const id = `legal-${props.name}`;
  const described = [`${id}-hint`, props.error ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <p id={`${id}-hint`} className="hint">
        {props.hint}
      </p>
      <textarea
        id={id}
        name={props.name}
        rows={3}
        value={props.value}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={described}
        onChange={props.onChange}
      />
      {props.error ? (
        <p id={`${id}-error`} className="field-error">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}
