import { useState, type FormEvent } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert, explain, Field, type FieldErrors } from "../../shared/forms.tsx";
import { Link, navigate } from "../../shared/router.tsx";
import type { Session } from "../types.ts";

/** Where to go after signing in: a page of this site only, never another origin. */
function nextPage(): string {
  const next = new URLSearchParams(location.search).get("next");
  return next !== null && next.startsWith("/my/") ? next : "/my/information";
}

/**
 * Sign-in. `again`: the session ended under an open account page; the form shows above that page,
 * which stays as it was (what was typed included), and signing in lets the person carry on there.
 */
export function SignIn({ session, again = false }: { session: Session; again?: boolean }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const missing: FieldErrors = {};
    if (email.trim() === "") missing.email = "Enter your email address.";
    if (password === "") missing.password = "Enter your password.";
    setErrors(missing);
    if (Object.keys(missing).length > 0) return;
    setBusy(true);
    try {
      const { data } = await api<{ csrfToken: string }>("POST", "/v1/account/signin", {
        body: { email, password },
      });
      session.signIn(data.csrfToken);
      if (!again) navigate(nextPage());
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setMessage(explain(error.problem).message);
      setBusy(false);
    }
  };

  const form = (
    <form onSubmit={(e) => void submit(e)} noValidate className="narrow">
      <Field
        label="Email address"
        name="email"
        type="email"
        autoComplete="username"
        value={email}
        error={errors.email}
        onChange={(e) => setEmail(e.target.value)}
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
      <h1>Sign in</h1>
      {message ? <Alert>{message}</Alert> : null}
      {form}
      <p>
        No account yet? <Link to="/signup">Create an account</Link>.
      </p>
    </>
  );
}
