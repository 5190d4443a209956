import { useCallback, useEffect, useState } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert } from "../../shared/forms.tsx";
import { day } from "../../shared/format.ts";
import type { PageProps } from "../pages.tsx";
import type { Page } from "../types.ts";
import { staffMessage } from "../words.ts";

/** A hold as the API answers it: ids, codes, reasons in words and dates; no personal value. */
interface FraudHold {
  readonly holdId: string;
  readonly subjectId: string;
  readonly status: "held" | "released" | "rejected" | "expired";
  readonly reasons: readonly { readonly code: string; readonly reason: string }[];
  readonly heldAt: string;
  readonly verifyBy: string;
  readonly closedAt: string | null;
}

const FILTERS = ["held", "released", "rejected", "expired"] as const;
const STATUS_WORDS: Record<FraudHold["status"], string> = {
  held: "Held for verification",
  released: "Released (verified)",
  rejected: "Rejected",
  expired: "Rejected: not verified in time",
};

/**
 * Fraud holds (ZM-09): customers whose first order failed an automated check, with the reasons.
 * Releasing one lets their orders be charged; rejecting one cancels them. The customer is told by
 * email either way.
 */
export function FraudHolds(_props: PageProps) {
  const [status, setStatus] = useState<(typeof FILTERS)[number]>("held");
  const [items, setItems] = useState<readonly FraudHold[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const failed = (error: unknown) => {
    if (!(error instanceof ApiError)) throw error;
    setMessage(staffMessage(error.problem));
  };
  const load = useCallback(() => {
    setItems(null);
    api<Page<FraudHold>>("GET", `/v1/fraud/holds?status=${status}&limit=100`).then(
      ({ data }) => setItems(data.items),
      failed,
    );
  }, [status]);
  useEffect(load, [load]);

  const act = (hold: FraudHold, move: "release" | "reject") => {
    setMessage(null);
    setDone(null);
    api<FraudHold>("POST", `/v1/fraud/holds/${hold.holdId}/${move}`).then(({ data }) => {
      setDone(
        `Hold ${data.holdId.slice(0, 8)}: ${STATUS_WORDS[data.status].toLowerCase()}. The customer will be told by email.`,
      );
      load();
    }, failed);
  };

  return (
    <>
      <h1>Fraud holds</h1>
      <p className="lead">
        A customer's first order is checked automatically. Those held here are not charged until you verify
        them; those not verified in time are rejected.
      </p>
      {message ? <Alert>{message}</Alert> : null}
      {done ? <p role="status">{done}</p> : null}
      <label>
        Show{" "}
        <select value={status} onChange={(e) => setStatus(e.target.value as (typeof FILTERS)[number])}>
          {FILTERS.map((f) => (
            <option key={f} value={f}>
              {STATUS_WORDS[f]}
            </option>
          ))}
        </select>
      </label>
      {items === null ? (
        message ? null : (
          <p aria-busy="true">Loading…</p>
        )
      ) : items.length === 0 ? (
        <p>No hold in this state.</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Hold</th>
                <th scope="col">Reasons</th>
                <th scope="col">Held</th>
                <th scope="col">Verify by</th>
                <th scope="col">Status</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {items.map((h) => (
                <tr key={h.holdId}>
                  <th scope="row">{h.holdId.slice(0, 8)}</th>
                  <td>
                    <ul>
                      {h.reasons.map((r) => (
                        <li key={r.code}>{r.reason}</li>
                      ))}
                    </ul>
                  </td>
                  <td>{day(h.heldAt)}</td>
                  <td>{day(h.verifyBy)}</td>
                  <td>{STATUS_WORDS[h.status]}</td>
                  <td>
                    {h.status === "held" ? (
                      <>
                        <button type="button" onClick={() => act(h, "release")}>
                          Release
                        </button>{" "}
                        <button type="button" onClick={() => act(h, "reject")}>
                          Reject
                        </button>
                      </>
                    ) : null}
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
