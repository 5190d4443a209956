import { useCallback, useEffect, useState } from "react";
import {
  APPROVALS_NEEDED,
  LEGAL_STATES,
  type LegalRequest,
  type LegalState,
} from "../../../../modules/legal/legal.ts";
import { api, ApiError } from "../../../shared/api.ts";
import { Alert } from "../../../shared/forms.tsx";
import { day } from "../../../shared/format.ts";
import { Link } from "../../../shared/router.tsx";
import { staffMessage } from "../../words.ts";
import { INSTRUMENT_WORDS, STATE_WORDS } from "./words.ts";

/** The register, newest first, filtered by state: authorities, instruments and references, no person. */
export function LegalList() {
  const [state, setState] = useState<LegalState | "">("");
  const [items, setItems] = useState<readonly LegalRequest[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const load = useCallback(() => {
    setItems(null);
    setMessage(null);
    const query = state === "" ? "" : `?state=${state}`;
    api<{ items: LegalRequest[] }>("GET", `/v1/legal/requests${query}`).then(
      ({ data }) => setItems(data.items),
      (error: unknown) => {
        if (!(error instanceof ApiError)) throw error;
        setMessage(staffMessage(error.problem));
      },
    );
  }, [state]);
  useEffect(load, [load]);

  return (
    <>
      <h1>Legal requests</h1>
      <p className="lead">
        Subpoenas, court orders, warrants and emergency requests from authorities. Nothing is produced before
        two staff members other than the one who received a request approve it; what is produced goes through
        the policy and into the disclosure ledger.
      </p>
      <p className="legal-links">
        <Link to="/console/legal/new">Register a request</Link>
        <Link to="/console/legal/transparency">Transparency report</Link>
      </p>
      {message ? <Alert>{message}</Alert> : null}
      <label>
        Show{" "}
        <select value={state} onChange={(e) => setState(e.target.value as LegalState | "")}>
          <option value="">Every request</option>
          {LEGAL_STATES.map((s) => (
            <option key={s} value={s}>
              {STATE_WORDS[s]}
            </option>
          ))}
        </select>
      </label>
      {items === null ? (
        message ? null : (
          <p aria-busy="true">Loading…</p>
        )
      ) : items.length === 0 ? (
        <p>No request in this state.</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Reference</th>
                <th scope="col">Authority</th>
                <th scope="col">Instrument</th>
                <th scope="col">People</th>
                <th scope="col">Received</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    <Link to={`/console/legal/${r.id}`}>{r.reference}</Link>
                  </th>
                  <td>
                    {r.authority} ({r.country})
                  </td>
                  <td>{INSTRUMENT_WORDS[r.instrument]}</td>
                  <td>{r.subjects.length}</td>
                  <td>{day(r.receivedAt)}</td>
                  <td>
                    {STATE_WORDS[r.state]}
                    {r.state === "received" ? ` (${r.approvals.length} of ${APPROVALS_NEEDED})` : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
