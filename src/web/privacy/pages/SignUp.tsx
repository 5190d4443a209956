import { useState, type FormEvent } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert, cardGuard, explain, Field, type FieldErrors } from "../../shared/forms.tsx";
import { Link, navigate } from "../../shared/router.tsx";
import { Clauses } from "../clauses.tsx";
import { CHANNEL_NAMES, type Channel, type PolicyView, type Session } from "../types.ts";

interface Choice {
  key: string;
  label: string;
  consent: {
    targetKind: "purpose" | "topic";
    target: string;
    channel: Channel;
    action: "granted" | "withdrawn";
  };
  clauses: string[];
}

/**
 * The choices offered where data is collected: opt-in topics and purposes (ticked = granted), and
 * for marketing the policy allows until the person objects, a box to stop it from the start.
 */
function choicesOf(policy: PolicyView): Choice[] {
  const choices: Choice[] = [];
  for (const t of policy.topics) {
    for (const channel of t.channels) {
      choices.push({
        key: `topic:${t.id}:${channel}`,
        label: `Send me ${t.name}${by(t.channels, channel)}`,
        consent: { targetKind: "topic", target: t.id, channel, action: "granted" },
        clauses: t.clauses,
      });
    }
  }
  for (const p of policy.purposes.filter((p) => p.marketing)) {
    for (const channel of p.channels) {
      const optIn = p.basis === "consent";
      choices.push({
        key: `purpose:${p.id}:${channel}`,
        label: `${optIn ? "Yes" : "No, thank you"}: ${p.name}${by(p.channels, channel)}`,
        consent: { targetKind: "purpose", target: p.id, channel, action: optIn ? "granted" : "withdrawn" },
        clauses: p.clauses,
      });
    }
  }
  return choices;
}

/** " by email", unless the item goes by one channel only (its name says which). */
function by(channels: readonly Channel[], channel: Channel): string {
  return channels.length > 1 ? ` by ${CHANNEL_NAMES[channel].toLowerCase()}` : "";
}

/** Whole years between a YYYY-MM-DD birth date and today. */
function ageOn(birthDate: string, today: Date): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  let age = today.getUTCFullYear() - y;
  if (today.getUTCMonth() + 1 < mo || (today.getUTCMonth() + 1 === mo && today.getUTCDate() < d)) age -= 1;
  return age;
}

export function SignUp({ policy, session }: { policy: PolicyView; session: Session }) {
  const [values, setValues] = useState({
    firstName: "",
    lastName: "",
    email: "",
    password: "",
    birthDate: "",
  });
  const [ticked, setTicked] = useState<Set<string>>(new Set());
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const choices = choicesOf(policy);
  const set = (name: keyof typeof values) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [name]: e.target.value }));

  if (policy.accounts === null) {
    return (
      <>
        <h1>Create an account</h1>
        <p>{policy.name} has no customer accounts. You can still make a request from the home page.</p>
      </>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: FieldErrors = cardGuard(values);
    if (values.firstName.trim() === "") found.firstName = "Enter your first name.";
    if (values.lastName.trim() === "") found.lastName = "Enter your last name.";
    if (values.email.trim() === "") found.email = "Enter your email address.";
    if (values.password.length < 12) found.password = "Choose a password of at least 12 characters.";
    const age = ageOn(values.birthDate, new Date());
    if (age === null) found.birthDate = "Enter your date of birth.";
    else if (policy.minimumAge !== null && age < policy.minimumAge.years)
      found.birthDate = `You must be at least ${policy.minimumAge.years} to have an account. Nothing you typed has been sent.`;
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setMessage("Some answers need another look.");
      return;
    }
    setBusy(true);
    try {
      const consents = choices.filter((c) => ticked.has(c.key)).map((c) => c.consent);
      const { data } = await api<{ csrfToken: string }>("POST", "/v1/account/signup", {
        body: { ...values, consents },
      });
      session.signIn(data.csrfToken);
      navigate("/my/information");
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const explained = explain(error.problem, { first_name: "firstName", last_name: "lastName" });
      if (error.problem.code === "PLEDGE_UNDER_MINIMUM_AGE") {
        explained.fields.birthDate = `You must be at least ${policy.minimumAge?.years ?? "the minimum age"} to have an account. Nothing was kept.`;
      }
      setErrors(explained.fields);
      setMessage(explained.message);
      setBusy(false);
    }
  };

  return (
    <>
      <h1>Create an account</h1>
      <p className="lead">
        Already have one? <Link to="/signin">Sign in</Link>.
      </p>
      {message ? <Alert>{message}</Alert> : null}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <fieldset>
          <legend>About you</legend>
          <Clauses policy={policy} ids={policy.accounts.clauses} label="Why we ask" />
          <Field
            label="First name"
            name="firstName"
            autoComplete="given-name"
            value={values.firstName}
            error={errors.firstName}
            onChange={set("firstName")}
          />
          <Field
            label="Last name"
            name="lastName"
            autoComplete="family-name"
            value={values.lastName}
            error={errors.lastName}
            onChange={set("lastName")}
          />
          <Field
            label="Email address"
            name="email"
            type="email"
            autoComplete="email"
            value={values.email}
            error={errors.email}
            onChange={set("email")}
          />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="new-password"
            hint="At least 12 characters, not a common password."
            value={values.password}
            error={errors.password}
            onChange={set("password")}
          />
          <Field
            label="Date of birth"
            name="birthDate"
            type="date"
            autoComplete="bday"
            hint={
              policy.minimumAge === null
                ? undefined
                : `You must be ${policy.minimumAge.years} or older to have an account.`
            }
            value={values.birthDate}
            error={errors.birthDate}
            onChange={set("birthDate")}
          />
          {policy.minimumAge === null ? null : (
            <Clauses policy={policy} ids={policy.minimumAge.clauses} label="Our rule on age" />
          )}
        </fieldset>
        {choices.length === 0 ? null : (
          <fieldset>
            <legend>What we may send you</legend>
            <p className="hint">
              You can change these later under My preferences, and stop any channel in one click.
            </p>
            {choices.map((c) => (
              <div className="choice" key={c.key}>
                <input
                  type="checkbox"
                  id={`choice-${c.key}`}
                  checked={ticked.has(c.key)}
                  onChange={(e) =>
                    setTicked((t) => {
                      const next = new Set(t);
                      if (e.target.checked) next.add(c.key);
                      else next.delete(c.key);
                      return next;
                    })
                  }
                />
                <label htmlFor={`choice-${c.key}`}>{c.label}</label>
              </div>
            ))}
            <Clauses
              policy={policy}
              ids={[...new Set(choices.flatMap((c) => c.clauses))]}
              label="What the policy says about messages"
            />
          </fieldset>
        )}
        <button type="submit" disabled={busy}>
          Create my account
        </button>
      </form>
    </>
  );
}
