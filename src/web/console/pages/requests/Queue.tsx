import { useCallback, useEffect, useMemo, useState, type FormEvent } from "react";
import {
  REQUEST_KINDS,
  REQUEST_STATES,
  type RequestKind,
  type RequestView,
} from "../../../../modules/requests/requests.ts";
import { api, ApiError } from "../../../shared/api.ts";
import { Alert, Field } from "../../../shared/forms.tsx";
import { Link } from "../../../shared/router.tsx";
import { BarChart } from "../../chart.tsx";
import type { PageProps } from "../../pages.tsx";
import type { Page } from "../../types.ts";
import { staffMessage } from "../../words.ts";
import { localToday, urgencyOf, WEEK_MS } from "./urgency.ts";
import { dueDay, kindName, shortDay, stateName, timeLeftText } from "./words.ts";

interface Filters {
  readonly kind: RequestKind | "";
  readonly state: string;
  readonly jurisdiction: string;
  readonly queue: string;
  /** A date (YYYY-MM-DD) from the date input, or "". */
  readonly dueBefore: string;
}

const NO_FILTERS: Filters = { kind: "", state: "open", jurisdiction: "", queue: "", dueBefore: "" };
const PAGE_SIZE = "50";
/** The chart reads at most this many pages of 200: a queue longer than that is shown as "at least". */
const CHART_PAGES = 5;

/** The query string of GET /v1/requests for these filters: ids and codes only, nothing personal. */
function queryOf(f: Filters, extra: Record<string, string>): string {
  const q = new URLSearchParams();
  if (f.kind !== "") q.set("kind", f.kind);
  if (f.jurisdiction.trim() !== "") q.set("jurisdiction", f.jurisdiction.trim());
  if (f.queue.trim() !== "") q.set("queue", f.queue.trim());
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q.toString();
}

/** The start of `date` in the browser's time zone, as the instant the API's dueBefore takes. */
const startOf = (date: string) => new Date(`${date}T00:00:00`).toISOString();

/**
 * The request queue: what is overdue and what is due this week (a chart, with its table), and the
 * requests themselves, most urgent first, filtered by kind, state, jurisdiction, queue and due
 * date. Each row shows its due date and the time it has left; opening one shows its details.
 */
export function Queue(_props: PageProps) {
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [items, setItems] = useState<readonly RequestView[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [week, setWeek] = useState<{ items: readonly RequestView[]; complete: boolean } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const list = useCallback(async (f: Filters, cursor: string | null) => {
    const extra: Record<string, string> = { state: f.state, limit: PAGE_SIZE };
    if (f.dueBefore !== "") extra.dueBefore = startOf(f.dueBefore);
    if (cursor !== null) extra.cursor = cursor;
    const { data } = await api<Page<RequestView>>("GET", `/v1/requests?${queryOf(f, extra)}`);
    return data;
  }, []);

  // The chart counts every open request due within seven days of now, the overdue first (the
  // queue's own order), for the kind, jurisdiction and queue chosen; state and due date narrow
  // the table only.
  const readWeek = useCallback(async (f: Filters) => {
    const dueBefore = new Date(Date.now() + WEEK_MS).toISOString();
    const found: RequestView[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < CHART_PAGES; i += 1) {
      const extra: Record<string, string> = { state: "open", dueBefore, limit: "200" };
      if (cursor !== null) extra.cursor = cursor;
      const { data }: { data: Page<RequestView> } = await api("GET", `/v1/requests?${queryOf(f, extra)}`);
      found.push(...data.items);
      cursor = data.nextCursor;
      if (cursor === null) return { items: found, complete: true };
    }
    return { items: found, complete: false };
  }, []);

  const show = useCallback(
    async (f: Filters) => {
      setBusy(true);
      setMessage(null);
      try {
        const [page, due] = await Promise.all([list(f, null), readWeek(f)]);
        setItems(page.items);
        setNext(page.nextCursor);
        setWeek(due);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        setMessage(staffMessage(error.problem));
      }
      setBusy(false);
    },
    [list, readWeek],
  );

  useEffect(() => {
    void show(filters);
  }, [filters, show]);

  const more = async () => {
    if (next === null) return;
    setBusy(true);
    try {
      const page = await list(filters, next);
      setItems((shown) => [...(shown ?? []), ...page.items]);
      setNext(page.nextCursor);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setMessage(staffMessage(error.problem));
    }
    setBusy(false);
  };

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters({ ...draft });
  };

  return (
    <>
      <h1>Requests</h1>
      <p className="lead">
        Rights requests, most urgent first. Every request must be answered by the end of its due date.
      </p>
      {week !== null ? <WeekChart items={week.items} complete={week.complete} /> : null}
      <section aria-labelledby="requests-queue">
        <h2 id="requests-queue">The queue</h2>
        <form onSubmit={apply} noValidate className="requests-filters" aria-label="Filter the queue">
          <div className="field">
            <label htmlFor="requests-kind">Kind</label>
            <select
              id="requests-kind"
              value={draft.kind}
              onChange={(e) => setDraft({ ...draft, kind: e.target.value as RequestKind | "" })}
            >
              <option value="">Every kind</option>
              {REQUEST_KINDS.map((k) => (
                <option key={k} value={k}>
                  {kindName(k)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="requests-state">State</label>
            <select
              id="requests-state"
              value={draft.state}
              onChange={(e) => setDraft({ ...draft, state: e.target.value })}
            >
              <option value="open">Open (every open state)</option>
              <option value="overdue">Overdue</option>
              {REQUEST_STATES.map((s) => (
                <option key={s} value={s}>
                  {stateName(s)}
                </option>
              ))}
              <option value="all">All, closed ones last</option>
            </select>
          </div>
          <Field
            label="Jurisdiction"
            name="jurisdiction"
            hint="A country (DE) or a subdivision (US-CA)"
            autoComplete="off"
            value={draft.jurisdiction}
            onChange={(e) => setDraft({ ...draft, jurisdiction: e.target.value })}
          />
          <Field
            label="Queue"
            name="queue"
            hint="A team's queue, e.g. infosec"
            autoComplete="off"
            value={draft.queue}
            onChange={(e) => setDraft({ ...draft, queue: e.target.value })}
          />
          <Field
            label="Due before"
            name="dueBefore"
            type="date"
            hint="Open requests due before this day starts"
            value={draft.dueBefore}
            onChange={(e) => setDraft({ ...draft, dueBefore: e.target.value })}
          />
          <div className="requests-filter-buttons">
            <button type="submit" disabled={busy}>
              Show
            </button>
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() => {
                setDraft(NO_FILTERS);
                setFilters({ ...NO_FILTERS });
              }}
            >
              Clear filters
            </button>
          </div>
        </form>
        {message ? <Alert>{message}</Alert> : null}
        {items === null ? (
          <p aria-busy="true">Loading…</p>
        ) : (
          <QueueTable items={items} more={next !== null} busy={busy} onMore={() => void more()} />
        )}
      </section>
    </>
  );
}

function WeekChart({ items, complete }: { items: readonly RequestView[]; complete: boolean }) {
  const urgency = useMemo(() => urgencyOf(items, localToday()), [items]);
  // Memoised: the chart is drawn again whenever its labels or series change identity.
  const labels = useMemo(() => ["Overdue", ...urgency.days.map(shortDay)], [urgency]);
  const series = useMemo(
    () => [{ label: "Open requests", values: [urgency.overdue, ...urgency.dueOn] }],
    [urgency],
  );
  const atLeast = complete ? "" : "at least ";
  return (
    <section aria-labelledby="requests-week">
      <h2 id="requests-week">Overdue and due this week</h2>
      <p className="requests-summary">
        <strong className={urgency.overdue > 0 ? "requests-late" : undefined}>
          {atLeast}
          {urgency.overdue} overdue
        </strong>
        {" · "}
        <strong>
          {atLeast}
          {urgency.dueThisWeek} due in the next 7 days
        </strong>
      </p>
      <BarChart title="Open requests by due date" labelHeader="When due" labels={labels} series={series} />
    </section>
  );
}

function QueueTable(props: {
  items: readonly RequestView[];
  more: boolean;
  busy: boolean;
  onMore: () => void;
}) {
  const { items } = props;
  if (items.length === 0) return <p>No request matches these filters.</p>;
  return (
    <>
      <div className="table-scroll">
        <table className="requests-table">
          <caption className="visually-hidden">Requests, most urgent first</caption>
          <thead>
            <tr>
              <th scope="col">Request</th>
              <th scope="col">State</th>
              <th scope="col">Jurisdiction</th>
              <th scope="col">Queue</th>
              <th scope="col">Due</th>
              <th scope="col">Time left</th>
              <th scope="col">Assigned</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id} className={r.overdue ? "requests-overdue" : undefined}>
                <th scope="row">
                  <Link to={`/console/requests/${r.id}`}>{kindName(r.kind)}</Link>
                  <span className="requests-id">{r.id.slice(0, 8)}</span>
                </th>
                <td>{stateName(r.state)}</td>
                <td>{r.jurisdiction ?? "—"}</td>
                <td>{r.queue}</td>
                <td>{r.dueDate === null ? "—" : dueDay(r.dueDate)}</td>
                <td className={r.overdue ? "requests-late" : undefined}>{timeLeftText(r)}</td>
                <td>{r.assignee === null ? "Nobody" : r.assignee.slice(0, 8)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.more ? (
        <button type="button" className="secondary" disabled={props.busy} onClick={props.onMore}>
          Show more
        </button>
      ) : null}
    </>
  );
}
