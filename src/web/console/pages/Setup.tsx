import { useState, type FormEvent } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert, Field, type FieldErrors } from "../../shared/forms.tsx";
import { navigate } from "../../shared/router.tsx";
import { staffMessage } from "../words.ts";

interface Enrolment {
  readonly secret: string;
  readonly uri: string;
  readonly qrSvg: string;
}

/**
 * Setting up sign-in from an invitation: the username and set-up code an administrator gave,
 * then the authenticator key (a QR code, and the key as text for apps that take it typed), then a
 * password of one's own and the app's first code. Nothing changes until the last step succeeds.
 */
export function Setup({ onSignedIn }: { onSignedIn: () => void }) {
  const [username, setUsername] = useState("");
  const [setupCode, setSetupCode] = useState("");
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [code, setCode] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const fail = (error: unknown) => {
    if (!(error instanceof ApiError)) throw error;
    const fields: FieldErrors = {};
    if (error.problem.code === "PLEDGE_PASSWORD_WEAK") fields.password = staffMessage(error.problem);
    if (error.problem.code === "PLEDGE_STAFF_CODE_INVALID") fields.code = staffMessage(error.problem);
    setErrors(fields);
    setMessage(staffMessage(error.problem));
    setBusy(false);
  };

  const start = async (event: FormEvent) => {
    event.preventDefault();
    const missing: FieldErrors = {};
    if (username.trim() === "") missing.username = "Enter the username from your invitation.";
    if (setupCode.trim() === "") missing.setupCode = "Enter the set-up code from your invitation.";
    setErrors(missing);
    if (Object.keys(missing).length > 0) return;
    setBusy(true);
    try {
      const { data } = await api<Enrolment>("POST", "/v1/console/setup/secret", {
        body: { username: username.trim(), setupCode: setupCode.trim() },
      });
      setEnrolment(data);
      setMessage(null);
      setBusy(false);
    } catch (error) {
      fail(error);
    }
  };

  const finish = async (event: FormEvent) => {
    event.preventDefault();
    const missing: FieldErrors = {};
    if ([...password].length < 12) missing.password = "Choose a password of at least 12 characters.";
    else if (password !== repeat) missing.repeat = "The two passwords are not the same.";
    if (!/^\d{6}$/.test(code.trim())) missing.code = "Enter the six digits your authenticator app shows.";
    setErrors(missing);
    if (Object.keys(missing).length > 0) return;
    setBusy(true);
    try {
      await api("POST", "/v1/console/setup", {
        body: { username: username.trim(), setupCode: setupCode.trim(), password, code: code.trim() },
      });
      onSignedIn();
      navigate("/console/people");
    } catch (error) {
      fail(error);
    }
  };

  return (
    <>
      <h1>Set up your sign-in</h1>
      {message ? <Alert>{message}</Alert> : null}
      {enrolment === null ? (
        <form onSubmit={(e) => void start(e)} noValidate className="narrow">
          <p>
            Enter the username and set-up code an administrator gave you. The code works once, for 72 hours.
          </p>
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
            label="Set-up code"
            name="setupCode"
            autoComplete="off"
            value={setupCode}
            error={errors.setupCode}
            onChange={(e) => setSetupCode(e.target.value)}
          />
          <button type="submit" disabled={busy}>
            Continue
          </button>
        </form>
      ) : (
        <form onSubmit={(e) => void finish(e)} noValidate className="narrow">
          <h2>1. Add the key to your authenticator app</h2>
          <p>
            Scan this code with an authenticator app (one that supports time-based codes), or type the key.
          </p>
          <img
            className="qr"
            src={`data:image/svg+xml;base64,${btoa(enrolment.qrSvg)}`}
            alt="QR code of the authenticator key (the same key is written out below)"
            width={200}
            height={200}
          />
          <p>
            Key: <code className="secret">{enrolment.secret.replace(/(.{4})/g, "$1 ").trim()}</code>
          </p>
          <h2>2. Choose a password</h2>
          <Field
            label="New password"
            name="password"
            type="password"
            autoComplete="new-password"
            hint="At least 12 characters; not a common password."
            value={password}
            error={errors.password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <Field
            label="The same password again"
            name="repeat"
            type="password"
            autoComplete="new-password"
            value={repeat}
            error={errors.repeat}
            onChange={(e) => setRepeat(e.target.value)}
          />
          <h2>3. Confirm with a code</h2>
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
            Finish and sign in
          </button>
        </form>
      )}
    </>
  );
}
