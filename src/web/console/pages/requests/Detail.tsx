import { useCallback, useEffect, useState, type FormEvent } from "react";
import {
  DENIAL_REASONS,
  isOpen,
  TRANSITIONS,
  type DenialReason,
  type RequestDetail,
  type RequestState,
  type RequestView,
} from "../../../../modules/requests/requests.ts";
import { api, ApiError, type Answer } from "../../../shared/api.ts";
import { Alert, cardGuard, Field, type FieldErrors } from "../../../shared/forms.tsx";
import { Link } from "../../../shared/router.tsx";
import type { PageProps } from "../../pages.tsx";
import { staffMessage } from "../../words.ts";
import { denialName, dueDay, kindName, moveName, stateName, timeLeftText, when } from "./words.ts";

type Message = { kind: "error" | "success"; text: string } | null;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isDenial = (reason: string): reason is DenialReason =>
  (DENIAL_REASONS as readonly string[]).includes(reason);

/**
 * The moves offered for a request: its state's row of the transition table, less those the API
 * would refuse whatever is sent: `received` (only intake enters it), a second extension or one
 * after the due date, closing a complaint (it is closed with its note on the complaints page),
 * and fulfilling a request that has no verified person to act on.
 */
export function movesFor(r: RequestView): RequestState[] {
  return TRANSITIONS[r.state].filter((to) => {
    if (to === "received") return false;
    if (to === "extended" && (r.extended || r.overdue)) return false;
    if (r.kind === "complaint" && !isOpen(to)) return false;
    if (to === "fulfilled" && r.subjectId === null && r.kind !== "list_removal") return false;
    return true;
  });
}

/**
 * One request: its clock, its details, its history, and what can be done to it now. Every change
 * is sent with If-Match and the version shown; a change someone else made first is not
 * overwritten: the page says so and shows the request as it is now.
 */
export function RequestPage({ me, id }: PageProps & { id: string }) {
  const [detail, setDetail] = useState<RequestDetail | null | undefined>(undefined);
  const [etag, setEtag] = useState<string | null>(null);
  const [message, setMessage] = useState<Message>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const { data, etag: tag } = await api<RequestDetail>("GET", `/v1/requests/${id}`);
      setDetail(data);
      setEtag(tag ?? `"${data.version}"`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.problem.status === 404) setDetail(null);
      else setMessage({ kind: "error", text: staffMessage(error.problem) });
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  /** Runs one change with the version shown, then shows the request as the API has it after. */
  const act = async (
    work: (ifMatch: string) => Promise<Answer<RequestView>>,
    done: (after: RequestView) => string,
  ): Promise<boolean> => {
    if (etag === null) return false;
    setBusy(true);
    setMessage(null);
    try {
      const { data } = await work(etag);
      await load();
      setMessage({ kind: "success", text: done(data) });
      return true;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setMessage({ kind: "error", text: staffMessage(error.problem) });
      if (error.problem.code === "PLEDGE_PRECONDITION_FAILED") await load();
      return false;
    } finally {
      setBusy(false);
    }
  };

  if (detail === undefined) return <p aria-busy="true">Loading…</p>;
  if (detail === null) {
    return (
      <>
        <h1>No such request</h1>
        <p>
          There is no request {id}. <Link to="/console/requests">Back to the queue</Link>.
        </p>
      </>
    );
  }
  const open = isOpen(detail.state);
  return (
    <>
      <p className="requests-back">
        <Link to="/console/requests">Back to the queue</Link>
      </p>
      <h1>
        {kindName(detail.kind)} <span className="status">({stateName(detail.state)})</span>
      </h1>
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      <Facts r={detail} me={me.staffId} />
      {open ? (
        <MoveForm r={detail} busy={busy} onMove={act} />
      ) : (
        <p>This request is closed: it can no longer be moved.</p>
      )}
      <Assign r={detail} me={me.staffId} busy={busy} onAssign={act} />
      <History r={detail} />
      {detail.result !== null ? (
        <section aria-labelledby="requests-result">
          <h2 id="requests-result">What fulfilment did</h2>
          <pre className="requests-result">{JSON.stringify(detail.result, null, 2)}</pre>
        </section>
      ) : null}
    </>
  );
}

function Facts({ r, me }: { r: RequestDetail; me: string }) {
  const rows: [string, string][] = [
    ["Request", r.id],
    ["State", stateName(r.state)],
    ["Due", r.dueDate === null ? "—" : `${dueDay(r.dueDate)} (end of the day)`],
    ["Time left", timeLeftText(r)],
    ["Acknowledge by", r.acknowledgeBy === null ? "—" : when(r.acknowledgeBy)],
    ["Received", when(r.receivedAt)],
    ["Came in by", r.intake],
    ["Person", r.subjectId ?? "Not matched yet"],
    ["Jurisdiction", r.jurisdiction ?? "—"],
    ["Law", r.law],
    ["Queue", r.queue],
    ["Assigned to", r.assignee === null ? "Nobody" : r.assignee === me ? `You (${r.assignee})` : r.assignee],
  ];
  if (r.extended) rows.push(["Extended", r.extensionReason ?? "Yes"]);
  if (r.denialReason !== null) rows.push(["Denied because", denialName(r.denialReason)]);
  if (r.agentId !== null) rows.push(["Authorised agent", r.agentId]);
  if (r.closedAt !== null) rows.push(["Closed", when(r.closedAt)]);
  rows.push(["Version", String(r.version)]);
  return (
    <dl className="requests-facts">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd className={term === "Time left" && r.overdue ? "requests-late" : undefined}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function MoveForm(props: {
  r: RequestDetail;
  busy: boolean;
  onMove: (
    work: (ifMatch: string) => Promise<Answer<RequestView>>,
    done: (v: RequestView) => string,
  ) => Promise<boolean>;
}) {
  const { r } = props;
  const moves = movesFor(r);
  const [to, setTo] = useState<RequestState | "">("");
  const [reason, setReason] = useState<DenialReason | "">("");
  const [extension, setExtension] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  // A move chosen before the request changed under it may no longer be offered.
  const chosen = to !== "" && moves.includes(to) ? to : "";

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems: FieldErrors = {};
    if (chosen === "") problems.to = "Choose what to do with the request.";
    if (chosen === "denied" && reason === "") problems.reason = "Choose the reason for the denial.";
    if (chosen === "extended" && extension.trim() === "")
      problems.extension = "Say why the request needs more time: the person is told.";
    Object.assign(problems, cardGuard({ extension }));
    setErrors(problems);
    if (Object.keys(problems).length > 0 || chosen === "") return;
    const body = {
      to: chosen,
      ...(chosen === "denied" ? { reason } : {}),
      ...(chosen === "extended" ? { extensionReason: extension.trim() } : {}),
    };
    const moved = await props.onMove(
      (ifMatch) => api<RequestView>("POST", `/v1/requests/${r.id}/moves`, { body, ifMatch }),
      (after) => `Done: the request is now ${stateName(after.state).toLowerCase()}.`,
    );
    if (moved) {
      setTo("");
      setReason("");
      setExtension("");
    }
  };

  if (moves.length === 0) {
    return (
      <p>
        No move can be made here now
        {r.kind === "complaint" ? ": a complaint is resolved with its note on the complaints page." : "."}
      </p>
    );
  }
  return (
    <section aria-labelledby="requests-move">
      <h2 id="requests-move">Act on it</h2>
      <form onSubmit={(e) => void submit(e)} noValidate className="requests-move">
        <fieldset aria-describedby={errors.to ? "requests-to-error" : undefined}>
          <legend>What to do</legend>
          {moves.map((m) => (
            <div key={m} className="radio requests-choice">
              <input
                id={`requests-to-${m}`}
                type="radio"
                name="to"
                value={m}
                checked={chosen === m}
                onChange={() => setTo(m)}
              />
              <label htmlFor={`requests-to-${m}`}>{moveName(m)}</label>
            </div>
          ))}
          {errors.to ? (
            <p id="requests-to-error" className="field-error">
              {errors.to}
            </p>
          ) : null}
        </fieldset>
        {chosen === "denied" ? (
          <div className="field">
            <label htmlFor="requests-reason">Reason for the denial</label>
            <select
              id="requests-reason"
              value={reason}
              aria-invalid={errors.reason ? true : undefined}
              aria-describedby={errors.reason ? "requests-reason-error" : undefined}
              onChange={(e) => setReason(e.target.value as DenialReason | "")}
            >
              <option value="">Choose a reason…</option>
              {DENIAL_REASONS.map((d) => (
                <option key={d} value={d}>
                  {denialName(d)}
                </option>
              ))}
            </select>
            {errors.reason ? (
              <p id="requests-reason-error" className="field-error">
                {errors.reason}
              </p>
            ) : null}
          </div>
        ) : null}
        {chosen === "extended" ? (
          <div className="field">
            <label htmlFor="requests-extension">Why it needs more time (told to the person)</label>
            <textarea
              id="requests-extension"
              value={extension}
              maxLength={1000}
              rows={3}
              aria-invalid={errors.extension ? true : undefined}
              aria-describedby={errors.extension ? "requests-extension-error" : undefined}
              onChange={(e) => setExtension(e.target.value)}
            />
            {errors.extension ? (
              <p id="requests-extension-error" className="field-error">
                {errors.extension}
              </p>
            ) : null}
          </div>
        ) : null}
        <p className="hint">The person is told of every move by email.</p>
        <button type="submit" disabled={props.busy}>
          Move the request
        </button>
      </form>
    </section>
  );
}

function Assign(props: {
  r: RequestDetail;
  me: string;
  busy: boolean;
  onAssign: (
    work: (ifMatch: string) => Promise<Answer<RequestView>>,
    done: (v: RequestView) => string,
  ) => Promise<boolean>;
}) {
  const { r, me } = props;
  const [other, setOther] = useState("");
  const [error, setError] = useState<string | undefined>(undefined);
  const assign = (assignee: string | null) =>
    props.onAssign(
      (ifMatch) => api<RequestView>("PUT", `/v1/requests/${r.id}/assignee`, { body: { assignee }, ifMatch }),
      (after) =>
        after.assignee === null
          ? "The request is assigned to nobody now."
          : after.assignee === me
            ? "The request is assigned to you."
            : `The request is assigned to ${after.assignee}.`,
    );
  const toOther = async (event: FormEvent) => {
    event.preventDefault();
    const value = other.trim();
    if (!UUID.test(value)) {
      setError("A staff member's id looks like 0b5c…-…: 36 characters.");
      return;
    }
    setError(undefined);
    if (await assign(value)) setOther("");
  };
  return (
    <section aria-labelledby="requests-assign">
      <h2 id="requests-assign">Who works on it</h2>
      <div className="requests-buttons">
        {r.assignee !== me ? (
          <button type="button" disabled={props.busy} onClick={() => void assign(me)}>
            Assign to me
          </button>
        ) : null}
        {r.assignee !== null ? (
          <button type="button" className="secondary" disabled={props.busy} onClick={() => void assign(null)}>
            Assign to nobody
          </button>
        ) : null}
      </div>
      <form onSubmit={(e) => void toOther(e)} noValidate className="requests-assign">
        <Field
          label="Another staff member's id"
          name="assignee"
          autoComplete="off"
          value={other}
          error={error}
          onChange={(e) => setOther(e.target.value)}
        />
        <button type="submit" className="secondary" disabled={props.busy}>
          Assign
        </button>
      </form>
    </section>
  );
}

function History({ r }: { r: RequestDetail }) {
  return (
    <section aria-labelledby="requests-history">
      <h2 id="requests-history">History</h2>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">By</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {r.history.map((m, i) => (
              <tr key={i}>
                <td>{when(m.at)}</td>
                <td>{m.from === null ? "—" : stateName(m.from)}</td>
                <th scope="row">{stateName(m.to)}</th>
                <td>{m.actor}</td>
                <td>{m.reason === null ? "—" : isDenial(m.reason) ? denialName(m.reason) : m.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
