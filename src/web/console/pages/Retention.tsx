import { useCallback, useEffect, useState } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert } from "../../shared/forms.tsx";
import { staffMessage } from "../words.ts";
import { RunReport, type RetentionRun } from "./retention/RunReport.tsx";

const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

/**
 * Retention (docs/retention.md), for administrators as its routes are: the latest runs with what
 * each erased per kind of record and what it kept and why; a dry run that reports what would go
 * and changes nothing (its report is not stored, so it is shown here only); and a real run, asked
 * for twice, which resumes an unfinished run before starting a new one.
 */
export function Retention() {
  const [runs, setRuns] = useState<readonly RetentionRun[] | null>(null);
  const [dry, setDry] = useState<RetentionRun | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const failed = (error: unknown) => {
    if (!(error instanceof ApiError)) throw error;
    setMessage(staffMessage(error.problem));
  };
  const load = useCallback(() => {
    api<{ items: RetentionRun[] }>("GET", "/v1/retention/runs?limit=20").then(
      ({ data }) => setRuns(data.items),
      failed,
    );
  }, []);
  useEffect(load, [load]);

  const start = async (dryRun: boolean) => {
    setBusy(true);
    setMessage(null);
    setDone(null);
    try {
      const { data } = await api<RetentionRun>("POST", "/v1/retention/runs", { body: { dryRun } });
      if (dryRun) setDry(data);
      else {
        setDry(null);
        setConfirming(false);
        setDone(
          data.status === "finished"
            ? `The run of ${when(data.startedAt)} finished. Its report is first below.`
            : `The run of ${when(data.startedAt)} stopped before the end; run again to go on.`,
        );
        load();
      }
    } catch (error) {
      failed(error);
    }
    setBusy(false);
  };

  return (
    <>
      <h1>Retention</h1>
      <p className="lead">
        Records kept past the period the policy gives them are erased by a retention run, every day and from
        here. Everything a person under a legal hold has is kept.
      </p>
      {message ? <Alert>{message}</Alert> : null}
      {done ? <p role="status">{done}</p> : null}
      <section className="panel" aria-labelledby="retention-start">
        <h2 id="retention-start">Run retention now</h2>
        <p>A dry run reports what a run would erase now, and changes nothing.</p>
        <p className="retention-buttons">
          <button type="button" disabled={busy} onClick={() => void start(true)}>
            Start a dry run
          </button>{" "}
          {confirming ? null : (
            <button type="button" className="secondary" disabled={busy} onClick={() => setConfirming(true)}>
              Run retention…
            </button>
          )}
        </p>
        {confirming ? (
          <div className="retention-confirm" role="group" aria-labelledby="retention-confirm-title">
            <p id="retention-confirm-title">
              <strong>Erase every record past its period now?</strong> This cannot be undone. (An unfinished
              run is finished first.)
            </p>
            <button type="button" disabled={busy} onClick={() => void start(false)}>
              Erase records past their period
            </button>{" "}
            <button type="button" className="secondary" disabled={busy} onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        ) : null}
        {busy ? <p aria-busy="true">Working…</p> : null}
        {dry ? (
          <section aria-labelledby="retention-dry" className="retention-dry">
            <h3 id="retention-dry">Dry run: nothing was changed</h3>
            <RunReport run={dry} />
          </section>
        ) : null}
      </section>
      <section aria-labelledby="retention-runs">
        <h2 id="retention-runs">Runs</h2>
        {runs === null ? (
          message ? null : (
            <p aria-busy="true">Loading…</p>
          )
        ) : runs.length === 0 ? (
          <p>No retention run yet.</p>
        ) : (
          runs.map((run, i) => (
            <details key={run.id} open={i === 0} className="retention-run">
              <summary>
                {when(run.startedAt)}: {run.status === "finished" ? "finished" : "unfinished"},{" "}
                {total(run, "erased")} erased, {total(run, "keptByHold")} kept for a legal hold{" "}
                <span className="hint">({startedBy(run.startedBy)})</span>
              </summary>
              <RunReport run={run} />
            </details>
          ))
        )}
      </section>
    </>
  );
}

/** Who started a run (`staff:<id>`, `system:<job>`), without a name the page would have to look up. */
function startedBy(actor: string): string {
  if (actor.startsWith("system")) return "started by the daily schedule";
  if (actor.startsWith("staff:")) return `started by staff member ${actor.slice(6, 14)}`;
  return `started by ${actor}`;
}

const total = (run: RetentionRun, count: "erased" | "keptByHold") =>
  run.report.items.reduce((sum, item) => sum + item[count], 0);
