import { useState, type FormEvent } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert } from "../../shared/forms.tsx";
import type { Me } from "../types.ts";
import { staffMessage } from "../words.ts";

/**
 * The confidentiality attestation the pack requires before a staff member sees anyone's data
 * (ZZ-04), signed once, on the first sign-in: the pack's own words for staff, and a confirmation.
 */
export function Attest({ me, onAttested }: { me: Me; onAttested: (me: Me) => void }) {
  const [agreed, setAgreed] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!agreed) {
      setMessage("Tick the box to confirm the attestation, or sign out.");
      return;
    }
    setBusy(true);
    try {
      const { data } = await api<Me>("POST", "/v1/console/attestation", { body: { confirm: true } });
      onAttested(data);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setMessage(staffMessage(error.problem));
      setBusy(false);
    }
  };

  return (
    <>
      <h1>Confidentiality attestation</h1>
      <p className="lead">
        Before you see anyone's information, the policy asks you to confirm that you will keep it confidential
        and use it only as the policy says.
      </p>
      {me.attestation.clauses.map((c) => (
        <section key={c.id} className="clause" aria-labelledby={`clause-${c.id}`}>
          <h2 id={`clause-${c.id}`}>
            {c.title} <span className="clause-id">({c.id})</span>
          </h2>
          <p>{c.text}</p>
        </section>
      ))}
      {message ? <Alert>{message}</Alert> : null}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className="check">
          <input id="attest" type="checkbox" checked={agreed} onChange={(e) => setAgreed(e.target.checked)} />
          <label htmlFor="attest">
            I have read these commitments. I will keep confidential what I learn of customers and use it only
            for the purposes my role is given.
          </label>
        </div>
        <button type="submit" disabled={busy}>
          Sign the attestation
        </button>
      </form>
    </>
  );
}
