import { useCallback, useEffect, useMemo, useState } from "react";
import { api, ApiError } from "../../../shared/api.ts";
import { Alert } from "../../../shared/forms.tsx";
import { day } from "../../../shared/format.ts";
import { Link } from "../../../shared/router.tsx";
import { BarChart } from "../../chart.tsx";
import type { PolicyInfo } from "../../types.ts";
import { staffMessage } from "../../words.ts";
import { words, type CampaignView, type Preview, type Rates } from "./types.ts";

/** How often a campaign being sent is read again. */
const POLL_MS = 2000;

type Message = { kind: "error" | "success"; text: string } | null;

/**
 * One campaign: its facts, the preview (who it would reach and why the others are left out, as a
 * chart with its table), send and cancel, the outbox's progress (read again every few seconds
 * while the campaign is being sent, and no longer once it is not), and its bounce and complaint
 * rates beside the pack's limits.
 */
export function CampaignDetail({ id, policy }: { id: string; policy: PolicyInfo }) {
  const [view, setView] = useState<CampaignView | null>(null);
  const [rates, setRates] = useState<Rates | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [message, setMessage] = useState<Message>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const [campaign, guard] = await Promise.all([
        api<CampaignView>("GET", `/v1/campaigns/${id}`),
        api<Rates>("GET", `/v1/campaigns/${id}/deliverability`),
      ]);
      setView(campaign.data);
      setRates(guard.data);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setMessage({ kind: "error", text: staffMessage(error.problem) });
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    if (view?.status !== "sending") return;
    const timer = window.setTimeout(() => void load(), POLL_MS);
    return () => window.clearTimeout(timer);
  }, [view, load]);

  const act = async (work: () => Promise<void>, done: string) => {
    setBusy(true);
    setMessage(null);
    try {
      await work();
      setMessage({ kind: "success", text: done });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setMessage({ kind: "error", text: staffMessage(error.problem) });
    }
    setBusy(false);
  };
  const runPreview = () =>
    act(async () => {
      setPreview((await api<Preview>("POST", `/v1/campaigns/${id}/preview`)).data);
    }, "Preview ready.");
  const move = (action: "send" | "cancel", done: string) =>
    act(async () => {
      setView((await api<CampaignView>("POST", `/v1/campaigns/${id}/${action}`)).data);
      await load();
    }, done);

  if (view === null) {
    return message ? (
      <>
        <h1>Campaign</h1>
        <Alert>{message.text}</Alert>
        <p>
          <Link to="/console/campaigns">All campaigns</Link>
        </p>
      </>
    ) : (
      <p aria-busy="true">Loading…</p>
    );
  }
  const open = view.status === "draft" || view.status === "sending" || view.status === "stopped";
  return (
    <>
      <p>
        <Link to="/console/campaigns">All campaigns</Link>
      </p>
      <h1>
        {view.name} <span className="status">({words(view.status)})</span>
      </h1>
      <dl className="campaign-facts">
        <dt>Purpose</dt>
        <dd>{policy.purposes.find((p) => p.id === view.purpose)?.name ?? view.purpose}</dd>
        <dt>Kind</dt>
        <dd>{words(view.messageClass)}</dd>
        <dt>Channel</dt>
        <dd>{words(view.channel)}</dd>
        <dt>Topic</dt>
        <dd>
          {view.topic === null
            ? "None"
            : (policy.topics.find((t) => t.id === view.topic)?.name ?? view.topic)}
        </dd>
        {view.subjectLine !== null ? (
          <>
            <dt>Subject line</dt>
            <dd>{view.subjectLine}</dd>
          </>
        ) : null}
        <dt>Created</dt>
        <dd>{day(view.createdAt)}</dd>
      </dl>
      {view.status === "stopped" ? (
        <Alert>
          The send guard stopped this campaign: {words(view.stoppedReason ?? "stopped")}
          {view.stoppedClause ? ` (${view.stoppedClause})` : ""}. Messages not yet sent will not be sent.
        </Alert>
      ) : null}
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      <div className="campaign-actions">
        {view.status === "draft" ? (
          <>
            <button type="button" className="secondary" disabled={busy} onClick={() => void runPreview()}>
              Preview audience
            </button>
            <button type="button" disabled={busy} onClick={() => void move("send", "Sending has started.")}>
              Send now
            </button>
          </>
        ) : null}
        {open ? (
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() => void move("cancel", "The campaign is cancelled.")}
          >
            Cancel campaign
          </button>
        ) : null}
        <button
          type="button"
          className="secondary"
          disabled={busy}
          onClick={() => {
            setMessage(null);
            void load();
          }}
        >
          Refresh
        </button>
      </div>
      {preview ? <PreviewPanel preview={preview} /> : null}
      {view.status !== "draft" ? <Progress view={view} /> : null}
      {rates ? <RatesPanel rates={rates} /> : null}
    </>
  );
}

function PreviewPanel({ preview }: { preview: Preview }) {
  const labels = useMemo(
    () => [
      "Audience: would receive it",
      ...preview.excluded.map((e) => `${words(e.code)} (${e.clause ?? "no clause"})`),
    ],
    [preview],
  );
  const series = useMemo(
    () => [{ label: "People", values: [preview.audience, ...preview.excluded.map((e) => e.count)] }],
    [preview],
  );
  const left = preview.excluded.reduce((sum, e) => sum + e.count, 0);
  return (
    <section aria-labelledby="preview-title" className="panel">
      <h2 id="preview-title">Who it would reach</h2>
      <p>
        <strong>{preview.audience}</strong> {preview.audience === 1 ? "person" : "people"} now; {left} left
        out, each under the first rule that refuses them. Decided under {preview.decision.policy.company}{" "}
        {preview.decision.policy.version}
        {preview.decision.clauses.length > 0 ? ` (clauses ${preview.decision.clauses.join(", ")})` : ""}.
      </p>
      <BarChart title="Audience and exclusions" labels={labels} series={series} labelHeader="Group" />
    </section>
  );
}

function Progress({ view }: { view: CampaignView }) {
  const m = view.messages;
  const pending = m.queued + m.sending;
  const total = view.audienceSize ?? m.queued + m.sending + m.sent + m.skipped + m.failed + m.uncertain;
  const settled = m.sent + m.skipped + m.failed;
  return (
    <section aria-labelledby="progress-title" className="panel">
      <h2 id="progress-title">Progress</h2>
      <p role="status" className="campaign-progress-status">
        {view.status === "sending"
          ? `Sending: ${settled} of ${total} done. This page reads the campaign again every few seconds.`
          : `${words(view.status)}: ${settled} of ${total} done.`}
      </p>
      <label htmlFor="campaign-progress" className="visually-hidden">
        Messages done
      </label>
      <progress id="campaign-progress" max={Math.max(total, 1)} value={total === 0 ? 1 : settled} />
      <table className="campaign-counts">
        <caption>Messages by state</caption>
        <thead>
          <tr>
            <th scope="col">Sent</th>
            <th scope="col">Failed</th>
            <th scope="col">Pending</th>
            <th scope="col">Skipped</th>
            <th scope="col">Uncertain</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>{m.sent}</td>
            <td>{m.failed}</td>
            <td>{pending}</td>
            <td>{m.skipped}</td>
            <td>{m.uncertain}</td>
          </tr>
        </tbody>
      </table>
      {m.uncertain > 0 ? (
        <p>
          {m.uncertain} {m.uncertain === 1 ? "message was" : "messages were"} left uncertain by a crash: they
          are never sent again without a staff decision.
        </p>
      ) : null}
    </section>
  );
}

const percent = (rate: number) =>
  rate.toLocaleString(undefined, { style: "percent", maximumFractionDigits: 2 });

function RatesPanel({ rates }: { rates: Rates }) {
  const { guard } = rates;
  const rows = [
    { name: "Bounces", count: rates.bounces, rate: rates.bounceRate, limit: guard?.maxBounceRate },
    {
      name: "Complaints",
      count: rates.complaints,
      rate: rates.complaintRate,
      limit: guard?.maxComplaintRate,
    },
  ];
  return (
    <section aria-labelledby="rates-title" className="panel">
      <h2 id="rates-title">Bounces and complaints</h2>
      <p>
        Of {rates.sent} {rates.sent === 1 ? "message" : "messages"} sent.{" "}
        {guard
          ? `Policy ${rates.policyVersion} stops a campaign whose rate passes its limit once ${guard.minSample} messages were sent (${guard.clauses.join(", ")}).`
          : `Policy ${rates.policyVersion} sets no limits.`}
      </p>
      <table className="campaign-rates">
        <thead>
          <tr>
            <th scope="col">Report</th>
            <th scope="col">Messages</th>
            <th scope="col">Rate</th>
            <th scope="col">Limit</th>
            <th scope="col">Against the limit</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const over = r.rate !== null && r.limit !== undefined && r.rate > r.limit;
            return (
              <tr key={r.name} className={over ? "over" : undefined}>
                <th scope="row">{r.name}</th>
                <td>{r.count}</td>
                <td>{r.rate === null ? "—" : percent(r.rate)}</td>
                <td>{r.limit === undefined ? "None" : percent(r.limit)}</td>
                <td>
                  {r.rate === null || r.limit === undefined ? (
                    "—"
                  ) : over ? (
                    <strong className="over-flag">Over the limit</strong>
                  ) : (
                    "Within the limit"
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
