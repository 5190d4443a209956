import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert, Field, type FieldErrors } from "../../shared/forms.tsx";
import type { Page } from "../types.ts";
import { staffMessage } from "../words.ts";

/** GET /v1/audit/chain (src/http/audit.routes.ts). */
interface ChainState {
  readonly verified: boolean;
  readonly checked: number;
  readonly intactTo: number;
  readonly problems: readonly {
    /** Named when the log has several chains (one per shard on Citus). */
    readonly chain?: number;
    readonly seq: number;
    readonly kind: string;
    readonly detail: string;
  }[];
  readonly problemCount: number;
  readonly checkpoint: {
    readonly seq: number;
    readonly at: string;
    readonly keyId: string;
    readonly note: string | null;
  } | null;
  readonly unsignedRows: number;
}

/** One event of GET /v1/audit/events: ids, clause ids, field names and outcomes only. */
interface AuditEvent {
  readonly chain: number;
  readonly seq: number;
  readonly at: string;
  readonly type: string;
  readonly actor: string;
  readonly subjectId: string | null;
  readonly payload: Readonly<Record<string, unknown>>;
}

interface Filter {
  subjectId: string;
  staffId: string;
  type: string;
  from: string;
  to: string;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
const TYPE = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;
const EMPTY: Filter = { subjectId: "", staffId: "", type: "", from: "", to: "" };
const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });

/**
 * The audit log for administrators: the chain's state as verify finds it, with the newest signed
 * checkpoint, and the events by person, by staff member, by type and by time. The filter travels
 * to the API as ids and instants only; the page's own address never holds it. Each search is
 * itself recorded by the API as an `audit.read` event.
 */
export function Audit() {
  return (
    <>
      <h1>Audit log</h1>
      <p className="lead">
        Every use of a person&apos;s record, every disclosure and every staff action, in a chain each row of
        which seals the one before.
      </p>
      <Chain />
      <Events />
    </>
  );
}

function Chain() {
  const [state, setState] = useState<ChainState | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const check = useCallback(async () => {
    setBusy(true);
    setMessage(null);
    try {
      setState((await api<ChainState>("GET", "/v1/audit/chain")).data);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setMessage(staffMessage(error.problem));
    }
    setBusy(false);
  }, []);
  useEffect(() => void check(), [check]);

  return (
    <section aria-labelledby="chain" className="panel audit-chain">
      <h2 id="chain">The chain</h2>
      {message ? <Alert>{message}</Alert> : null}
      {state === null ? (
        <p aria-busy={busy}>{busy ? "Checking the chain…" : null}</p>
      ) : (
        <>
          <p role="status" className={state.verified ? "chain-ok" : "chain-broken"}>
            {state.verified
              ? `Verified: all ${state.checked} rows hold, up to row ${state.intactTo}.`
              : `Not verified: the chain holds up to row ${state.intactTo} of ${state.checked}; ${state.problemCount} ${state.problemCount === 1 ? "problem" : "problems"} found.`}
          </p>
          {state.problems.length > 0 ? (
            <table aria-label="Problems found">
              <thead>
                <tr>
                  <th scope="col">Row</th>
                  <th scope="col">Problem</th>
                  <th scope="col">Detail</th>
                </tr>
              </thead>
              <tbody>
                {state.problems.map((p) => (
                  <tr key={`${p.chain ?? 1}.${p.seq}:${p.kind}`}>
                    <th scope="row">{p.chain === undefined ? p.seq : `chain ${p.chain}, row ${p.seq}`}</th>
                    <td>{p.kind.replace(/_/g, " ")}</td>
                    <td>{p.detail}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          <h3>Last signed checkpoint</h3>
          {state.checkpoint === null ? (
            <p className="checkpoint-none">
              No checkpoint has been signed yet: all {state.unsignedRows} rows could still be rewritten
              unnoticed. Run <code>pledge audit checkpoint</code>.
            </p>
          ) : (
            <>
              <dl className="checkpoint">
                <dt>Row</dt>
                <dd>{state.checkpoint.seq}</dd>
                <dt>Signed</dt>
                <dd>{when(state.checkpoint.at)}</dd>
                <dt>Key</dt>
                <dd>
                  <code>{state.checkpoint.keyId}</code>
                </dd>
                <dt>Rows since</dt>
                <dd>{state.unsignedRows}</dd>
              </dl>
              {state.checkpoint.note === null ? null : (
                <pre className="note" aria-label="The signed note">
                  {state.checkpoint.note}
                </pre>
              )}
            </>
          )}
        </>
      )}
      <button type="button" onClick={() => void check()} disabled={busy}>
        Check the chain again
      </button>
    </section>
  );
}

function Events() {
  const [filter, setFilter] = useState<Filter>(EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [events, setEvents] = useState<readonly AuditEvent[] | null>(null);
  const [next, setNext] = useState<{ query: string; cursor: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const set = (name: keyof Filter) => (e: { target: { value: string } }) =>
    setFilter({ ...filter, [name]: e.target.value });

  const load = async (query: string, cursor: string | null) => {
    setBusy(true);
    setMessage(null);
    if (cursor === null) setEvents(null);
    try {
      const page = `${query}${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`;
      const { data } = await api<Page<AuditEvent>>("GET", `/v1/audit/events?${page}`);
      setEvents((shown) => (cursor === null || shown === null ? data.items : [...shown, ...data.items]));
      setNext(data.nextCursor === null ? null : { query, cursor: data.nextCursor });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setMessage(staffMessage(error.problem));
    }
    setBusy(false);
  };

  const search = (event: FormEvent) => {
    event.preventDefault();
    const problems: FieldErrors = {};
    const f = { ...filter, subjectId: filter.subjectId.trim(), staffId: filter.staffId.trim() };
    if (f.subjectId !== "" && !ID.test(f.subjectId))
      problems.subjectId = "A person's id is letters, digits and - only.";
    if (f.staffId !== "" && !ID.test(f.staffId))
      problems.staffId = "A staff id is letters, digits and - only.";
    if (f.type !== "" && !TYPE.test(f.type))
      problems.type = "An event type looks like decision or consent.recorded.";
    const from = f.from === "" ? null : new Date(f.from);
    const to = f.to === "" ? null : new Date(f.to);
    if (from !== null && Number.isNaN(from.getTime())) problems.from = "Enter a date and time.";
    if (to !== null && Number.isNaN(to.getTime())) problems.to = "Enter a date and time.";
    else if (from !== null && to !== null && !(from < to)) problems.to = "The end must come after the start.";
    setErrors(problems);
    if (Object.keys(problems).length > 0) return;
    const query = new URLSearchParams({ limit: "50" });
    if (f.subjectId !== "") query.set("subjectId", f.subjectId);
    if (f.staffId !== "") query.set("actor", `staff:${f.staffId}`);
    if (f.type !== "") query.set("type", f.type);
    if (from !== null) query.set("from", from.toISOString());
    if (to !== null) query.set("to", to.toISOString());
    void load(query.toString(), null);
  };

  return (
    <section aria-labelledby="events" className="audit-events">
      <h2 id="events">Events</h2>
      <form onSubmit={search} noValidate className="audit-filter">
        <Field
          label="Person's id"
          name="subjectId"
          autoComplete="off"
          value={filter.subjectId}
          error={errors.subjectId}
          onChange={set("subjectId")}
        />
        <Field
          label="Staff member's id"
          name="staffId"
          autoComplete="off"
          value={filter.staffId}
          error={errors.staffId}
          onChange={set("staffId")}
        />
        <Field
          label="Event type"
          name="type"
          autoComplete="off"
          hint="decision, consent.recorded, audit.read …"
          value={filter.type}
          error={errors.type}
          onChange={set("type")}
        />
        <Field
          label="From"
          name="from"
          hint="Times are in this computer's time zone."
          type="datetime-local"
          step="1"
          value={filter.from}
          error={errors.from}
          onChange={set("from")}
        />
        <Field
          label="Until"
          name="to"
          type="datetime-local"
          step="1"
          value={filter.to}
          error={errors.to}
          onChange={set("to")}
        />
        <div className="audit-filter-actions">
          <button type="submit" disabled={busy}>
            Show events
          </button>
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setFilter(EMPTY);
              setErrors({});
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {message ? <Alert>{message}</Alert> : null}
      {events === null ? null : (
        <>
          <p role="status">
            {events.length === 0
              ? "No events match."
              : `${events.length} ${events.length === 1 ? "event" : "events"}${next ? " so far" : ""}, oldest first.`}
          </p>
          {events.length > 0 ? (
            <table className="audit-table">
              <caption className="visually-hidden">Audit events, oldest first</caption>
              <thead>
                <tr>
                  <th scope="col">Row</th>
                  <th scope="col">When</th>
                  <th scope="col">Event</th>
                  <th scope="col">By</th>
                  <th scope="col">Person</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr key={`${e.chain}.${e.seq}`}>
                    <th scope="row">{e.seq}</th>
                    <td>{when(e.at)}</td>
                    <td>{e.type}</td>
                    <td className="audit-id">{e.actor}</td>
                    <td className="audit-id">{e.subjectId ?? "—"}</td>
                    <td className="audit-payload">{details(e.payload)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {next ? (
            <button type="button" disabled={busy} onClick={() => void load(next.query, next.cursor)}>
              Show more events
            </button>
          ) : null}
        </>
      )}
    </section>
  );
}

/** The payload's members as `name: value` pairs: ids, clause ids, field names and outcomes. */
function details(payload: Readonly<Record<string, unknown>>): string {
  return Object.entries(payload)
    .filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join("; ");
}
