import { useState, type FormEvent } from "react";
import { api, ApiError, setCsrfToken } from "../../shared/api.ts";
import { Alert, explain, Field, type FieldErrors } from "../../shared/forms.tsx";

/**
 * The password change (POST /v1/account/password): it ends every other session and gives this one
 * a new id, so the page takes the new CSRF token from the answer.
 */
export function PasswordChange() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: FieldErrors = {};
    if (current === "") found.currentPassword = "Enter your current password.";
    if (next.length < 12) found.newPassword = "Choose a password of at least 12 characters.";
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const { data } = await api<{ csrfToken: string }>("POST", "/v1/account/password", {
        body: { currentPassword: current, newPassword: next },
      });
      setCsrfToken(data.csrfToken);
      setCurrent("");
      setNext("");
      setMessage({ kind: "success", text: "Your password is changed. Other devices have been signed out." });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.problem.code === "PLEDGE_REAUTH_FAILED") {
        setErrors({ currentPassword: "Your current password is not right." });
        setMessage({ kind: "error", text: "Your current password is not right." });
      } else {
        const explained = explain(error.problem, { password: "newPassword" });
        setErrors(explained.fields);
        setMessage({ kind: "error", text: explained.message });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="password" className="panel">
      <h2 id="password">Change my password</h2>
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field
          label="Current password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          value={current}
          error={errors.currentPassword}
          onChange={(e) => setCurrent(e.target.value)}
        />
        <Field
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          hint="At least 12 characters, not a common password."
          value={next}
          error={errors.newPassword}
          onChange={(e) => setNext(e.target.value)}
        />
        <button type="submit" disabled={busy}>
          Change my password
        </button>
      </form>
    </section>
  );
}
