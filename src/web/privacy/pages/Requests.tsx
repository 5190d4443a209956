import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert, cardGuard, explain, Field, type FieldErrors } from "../../shared/forms.tsx";
import { day } from "../../shared/format.ts";
import { GpcNotice } from "../gpc.tsx";
import type { MyConsents, MyRequest, PolicyView } from "../types.ts";

const KINDS: Record<string, string> = {
  access: "A copy of my data",
  portable_export: "My data in a portable file",
  correction: "Correct my data",
  deletion: "Delete my account and data",
  opt_out_sale: "Do not sell my data",
  opt_out_sharing: "Do not share my data",
  opt_out_channel: "Stop marketing on a channel",
  opt_out_catalogues: "No catalogues",
  limit_sensitive: "Limit the use of sensitive data",
  disclosure_report: "Who my data was given to",
};

const STATES: Record<string, string> = {
  received: "Received",
  identity_unverified: "Waiting for you to confirm",
  verified: "Confirmed, waiting to start",
  in_progress: "In progress",
  waiting_on_person: "Waiting for information from you",
  extended: "Extended",
  fulfilled: "Done",
  partially_fulfilled: "Partly done",
  denied: "Refused",
  revoked: "Withdrawn",
  expired: "Expired",
};

/** The requests offered on the form; opt-outs of single channels are on My preferences. */
const OFFERED = [
  "access",
  "portable_export",
  "correction",
  "deletion",
  "opt_out_sale",
  "opt_out_sharing",
  "disclosure_report",
];

const CORRECTABLE = [
  ["first_name", "First name"],
  ["last_name", "Last name"],
  ["email", "Email address"],
  ["phone", "Phone number"],
  ["zip", "ZIP or postal code"],
] as const;

/**
 * My requests: make one (POST /v1/account/requests), follow each one's state and deadline, and
 * download the data of a fulfilled access request. A Global Privacy Control signal honoured is
 * shown as the API reports it.
 */
export function Requests({ policy }: { policy: PolicyView }) {
  const [items, setItems] = useState<MyRequest[] | null>(null);
  const [gpc, setGpc] = useState<MyConsents["gpc"] | null>(null);
  const [kind, setKind] = useState("access");
  const [field, setField] = useState<string>("first_name");
  const [value, setValue] = useState("");
  const [text, setText] = useState("");
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const [requests, consents] = await Promise.all([
      api<{ items: MyRequest[] }>("GET", "/v1/account/requests"),
      api<MyConsents>("GET", "/v1/account/me/consents"),
    ]);
    setItems(requests.data.items);
    setGpc(consents.data.gpc);
  }, []);
  useEffect(() => {
    load().catch((error: unknown) => {
      if (error instanceof ApiError) setMessage({ kind: "error", text: explain(error.problem).message });
    });
  }, [load]);

  const offered = OFFERED.filter((k) => k !== "opt_out_sale" || policy.sale.allowed !== "never").filter(
    (k) => k !== "opt_out_sharing" || policy.sharing.length > 0,
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = cardGuard({ value, text });
    if (kind === "correction" && value.trim() === "") found.value = "Enter the corrected value.";
    if (kind === "deletion" && !confirmDelete)
      found.confirm = "Tick the box to confirm you want your account deleted.";
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const details =
      kind === "correction"
        ? { corrections: { [field]: value.trim() }, ...(text.trim() === "" ? {} : { text: text.trim() }) }
        : text.trim() === ""
          ? undefined
          : { text: text.trim() };
    setBusy(true);
    try {
      const { data } = await api<{ request: MyRequest; repeated: boolean }>("POST", "/v1/account/requests", {
        body: { kind, ...(details === undefined ? {} : { details }) },
      });
      await load();
      setMessage({
        kind: "success",
        text: data.repeated
          ? `You already have an open request of this kind: "${KINDS[kind]}". It is listed below.`
          : `Request received: ${KINDS[kind]}. ${data.request.state === "fulfilled" ? "It is done." : dueText(data.request)}`,
      });
      setValue("");
      setText("");
      setConfirmDelete(false);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const explained = explain(error.problem);
      setErrors(explained.fields);
      setMessage({ kind: "error", text: explained.message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>My requests</h1>
      {gpc === null ? null : <GpcNotice gpc={gpc} />}
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      <section aria-labelledby="new-request" className="panel">
        <h2 id="new-request">Make a request</h2>
        <form onSubmit={(e) => void submit(e)} noValidate>
          <div className="field">
            <label htmlFor="request-kind">What would you like?</label>
            <select id="request-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
              {offered.map((k) => (
                <option key={k} value={k}>
                  {KINDS[k]}
                </option>
              ))}
            </select>
          </div>
          {kind === "correction" ? (
            <>
              <div className="field">
                <label htmlFor="correction-field">Which item is wrong?</label>
                <select id="correction-field" value={field} onChange={(e) => setField(e.target.value)}>
                  {CORRECTABLE.filter(([f]) => policy.accounts?.fields.includes(f)).map(([f, label]) => (
                    <option key={f} value={f}>
                      {label}
                    </option>
                  ))}
                </select>
              </div>
              <Field
                label="The correct value"
                name="value"
                value={value}
                error={errors.value}
                onChange={(e) => setValue(e.target.value)}
              />
            </>
          ) : null}
          {kind === "deletion" ? (
            <div className="choice">
              <input
                type="checkbox"
                id="confirm-delete"
                checked={confirmDelete}
                aria-invalid={errors.confirm ? true : undefined}
                aria-describedby={errors.confirm ? "confirm-delete-error" : undefined}
                onChange={(e) => setConfirmDelete(e.target.checked)}
              />
              <label htmlFor="confirm-delete">
                I want my account and data deleted. Records the law requires us to keep (orders, invoices) are
                kept, and we will tell you which.
              </label>
              {errors.confirm ? (
                <p id="confirm-delete-error" className="field-error">
                  {errors.confirm}
                </p>
              ) : null}
            </div>
          ) : null}
          <Field
            label="Anything you want to add (optional)"
            name="text"
            value={text}
            error={errors.text}
            onChange={(e) => setText(e.target.value)}
          />
          <button type="submit" disabled={busy}>
            Send the request
          </button>
        </form>
      </section>
      <section aria-labelledby="my-requests" className="panel">
        <h2 id="my-requests">My requests</h2>
        {items === null ? (
          <p>Loading your requests…</p>
        ) : items.length === 0 ? (
          <p>You have made no requests.</p>
        ) : (
          <table>
            <caption>Your requests, open ones first</caption>
            <thead>
              <tr>
                <th scope="col">Request</th>
                <th scope="col">Made</th>
                <th scope="col">Status</th>
                <th scope="col">Answer due</th>
                <th scope="col">Your data</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id}>
                  <th scope="row">{KINDS[r.kind] ?? r.kind}</th>
                  <td>{day(r.receivedAt)}</td>
                  <td>
                    {STATES[r.state] ?? r.state}
                    {r.denialReason ? ` (${r.denialReason.replace(/_/g, " ")})` : ""}
                    {r.extensionReason ? `: ${r.extensionReason}` : ""}
                  </td>
                  <td>{r.closedAt !== null ? `Closed ${day(r.closedAt)}` : dueText(r)}</td>
                  <td>
                    {r.state === "fulfilled" && PACKAGED.has(r.kind) ? (
                      <a className="button secondary" href={`/v1/account/requests/${r.id}/package`} download>
                        Download my data
                      </a>
                    ) : (
                      "–"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function dueText(r: MyRequest): string {
  if (r.dueDate === null) return "–";
  if (r.overdue) return `Was due ${r.dueDate}: overdue`;
  return `By ${r.dueDate}${r.daysLeft === null ? "" : ` (${r.daysLeft} ${r.daysLeft === 1 ? "day" : "days"} left)`}`;
}

/**
 * The kinds whose fulfilment is a data package: one ZIP (data.json, data.csv, README.txt), the
 * same as the completion email's link, downloaded with the session (GET
 * /v1/account/requests/:id/package).
 */
const PACKAGED = new Set(["access", "portable_export", "disclosure_report"]);
