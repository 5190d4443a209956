import { useState, type FormEvent } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert, Field, type FieldErrors } from "../../shared/forms.tsx";
import { Link, navigate } from "../../shared/router.tsx";
import { staffMessage } from "../words.ts";

/** Where to go after signing in: a console page only, never another origin. */
function nextPage(): string {
  const next = new URLSearchParams(location.search).get("next");
  return next !== null && next.startsWith("/console/") && !next.startsWith("/console/sign")
    ? next
    : "/console/people";
}

/**
 * Console sign-in: username, password and the code the authenticator app shows. `again`: the
 * session ended under an open page; the form shows above it and the page keeps what was typed.
 */
export function SignIn({ onSignedIn, again = false }: { onSignedIn: () => void; again?: boolean }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const missing: FieldErrors = {};
    if (username.trim() === "") missing.username = "Enter your username.";
    if (password === "") missing.password = "Enter your password.";
    if (!/^\d{6}$/.test(code.trim())) missing.code = "Enter the six digits your authenticator app shows.";
    setErrors(missing);
    if (Object.keys(missing).length > 0) return;
    setBusy(true);
    try {
      await api("POST", "/v1/console/signin", { body: { username, password, code: code.trim() } });
      setPassword("");
      setCode("");
      setBusy(false);
      onSignedIn();
      if (!again) navigate(nextPage());
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setMessage(staffMessage(error.problem));
      setCode("");
      setBusy(false);
    }
  };

  const form = (
    <form onSubmit={(e) => void submit(e)} noValidate className="narrow">
      <Field
        label="Username"
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        value={username}
        error={errors.username}
        onChange={(e) => setUsername(e.target.value)}
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        value={password}
        error={errors.password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <Field
        label="Code from your authenticator app"
        name="code"
        inputMode="numeric"
        autoComplete="one-time-code"
        maxLength={6}
        value={code}
        error={errors.code}
        onChange={(e) => setCode(e.target.value)}
      />
      <button type="submit" disabled={busy}>
        Sign in
      </button>
    </form>
  );

  if (again) {
    return (
      <section aria-labelledby="signin-again" className="panel again">
        <h2 id="signin-again">You have been signed out</h2>
        <p role="alert">Your session has ended. Sign in to carry on: what you typed on this page is kept.</p>
        {message ? <Alert>{message}</Alert> : null}
        {form}
      </section>
    );
  }
  return (
    <>
      <h1>Sign in to the console</h1>
      {message ? <Alert>{message}</Alert> : null}
      {form}
      <p>
        Invited by an administrator? <Link to="/console/setup">Set up your sign-in</Link>.
      </p>
    </>
  );
}
