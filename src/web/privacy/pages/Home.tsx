import { useState, type FormEvent } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert, cardGuard, explain, Field, type FieldErrors } from "../../shared/forms.tsx";
import { Link } from "../../shared/router.tsx";
import type { PolicyView, Session } from "../types.ts";

/**
 * The home page, for everyone: what the privacy center is for, the policy, and a rights request
 * that needs no account (ZM-04: nothing that needs no personal data asks for an account).
 */
export function Home({ policy, session }: { policy: PolicyView; session: Session }) {
  return (
    <>
      <h1>Your privacy at {policy.name}</h1>
      <p className="lead">
        See what {policy.name} holds about you, choose what we may send you, and ask for a copy of your data
        or its deletion.
      </p>
      <div className="cards">
        <section className="card" aria-labelledby="home-policy">
          <h2 id="home-policy">Our privacy policy</h2>
          <p>
            Version {policy.version}, in force since {policy.effectiveFrom.slice(0, 10)}. Every earlier
            version stays published.
          </p>
          <p>
            <Link to="/privacy">Read the privacy policy</Link>
          </p>
        </section>
        {policy.accounts === null ? null : session.signedIn ? (
          <section className="card" aria-labelledby="home-account">
            <h2 id="home-account">Your account</h2>
            <ul>
              <li>
                <Link to="/my/information">My information</Link>: see and correct what we hold
              </li>
              <li>
                <Link to="/my/preferences">My preferences</Link>: topics and channels, stop any in one click
              </li>
              <li>
                <Link to="/my/requests">My requests</Link>: a copy of your data, deletion, corrections,
                opt-outs
              </li>
            </ul>
          </section>
        ) : (
          <section className="card" aria-labelledby="home-account">
            <h2 id="home-account">Your account</h2>
            <p>
              Sign in to see your information and preferences. You do not need an account to read the policy.
            </p>
            <p>
              <Link to="/signin" className="button">
                Sign in
              </Link>{" "}
              <Link to="/signup">Create an account</Link>
            </p>
          </section>
        )}
      </div>
      <PublicRequest policy={policy} />
    </>
  );
}

const PUBLIC_KINDS = [
  ["access", "A copy of my data"],
  ["deletion", "Delete my data"],
  ["opt_out_sale", "Do not sell or share my data"],
] as const;

/** POST /v1/public/requests: always 202; the person confirms from the email before anything is done. */
function PublicRequest({ policy }: { policy: PolicyView }) {
  const [kind, setKind] = useState<string>("access");
  const [email, setEmail] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const guard = cardGuard({ email });
    setErrors(guard);
    if (Object.keys(guard).length > 0) return;
    setBusy(true);
    try {
      await api("POST", "/v1/public/requests", { body: { kind, email } });
      setMessage({
        kind: "success",
        text: "Thank you. We have sent a link to that address: open it within 24 hours to confirm your request.",
      });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const { message: text, fields } = explain(error.problem);
      setErrors(fields);
      setMessage({ kind: "error", text });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="home-request" className="panel">
      <h2 id="home-request">Make a request without an account</h2>
      <p>
        We will email you a link to confirm that the address is yours; nothing is done before you open it.
        {policy.accounts !== null ? " Signed-in customers can follow their requests under My requests." : ""}
      </p>
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <fieldset>
          <legend>What would you like?</legend>
          {PUBLIC_KINDS.map(([value, label]) => (
            <div className="choice" key={value}>
              <input
                type="radio"
                id={`public-kind-${value}`}
                name="kind"
                value={value}
                checked={kind === value}
                onChange={() => setKind(value)}
              />
              <label htmlFor={`public-kind-${value}`}>{label}</label>
            </div>
          ))}
        </fieldset>
        <Field
          label="Your email address"
          name="email"
          type="email"
          autoComplete="email"
          required
          value={email}
          error={errors.email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <button type="submit" disabled={busy}>
          Send the request
        </button>
      </form>
    </section>
  );
}
