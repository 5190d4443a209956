/** A retention run as GET and POST /v1/retention/runs answer it (retention.routes.ts). */
export interface RetentionRun {
  /** null for a dry run, which is not stored. */
  readonly id: string | null;
  readonly dryRun: boolean;
  readonly status: "running" | "finished";
  readonly asOf: string;
  readonly policyVersion: string;
  readonly timeZone: string;
  readonly startedBy: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly batches: number;
  readonly report: {
    readonly items: readonly ItemReport[];
    readonly subjects: number;
    readonly heldSubjects: number;
    readonly unenforced: readonly {
      readonly categories: readonly string[];
      readonly period: string;
      readonly why: string;
    }[];
  };
}

interface ItemReport {
  readonly item: "orders" | "charges" | "billing_addresses" | "payment_methods";
  readonly categories: readonly string[];
  readonly periods: readonly string[];
  readonly reasons: readonly string[];
  readonly from: string;
  readonly cutoff: string;
  readonly erased: number;
  readonly keptByHold: number;
}

/** An instant as the clock in the pack's time zone read it, the zone the periods are counted in. */
const local = (iso: string, timeZone: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short", timeZone });

const ITEM_WORDS: Record<ItemReport["item"], string> = {
  orders: "Orders",
  charges: "Payment charges",
  billing_addresses: "Billing addresses",
  payment_methods: "Saved payment cards",
};

/** An ISO 8601 period (P7Y, P18M, P30D) in words. */
export function periodWords(period: string): string {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$/.exec(period);
  if (m === null) return period;
  const parts = [
    [m[1], "year"],
    [m[2], "month"],
    [m[3], "day"],
  ]
    .filter(([n]) => n !== undefined)
    .map(([n, unit]) => `${n} ${unit}${n === "1" ? "" : "s"}`);
  return parts.length === 0 ? period : parts.join(" ");
}

/**
 * One run's report: per kind of record, its categories, period and the policy's reason for it,
 * the date before which records went, how many were erased (or, dry, would be) and how many a
 * legal hold kept; then the policy's periods that no dated record carries, with why.
 */
export function RunReport({ run }: { run: RetentionRun }) {
  const { report } = run;
  const erased = run.dryRun ? "Would erase" : "Erased";
  return (
    <>
      <p>
        Measured as of {local(run.asOf, run.timeZone)} under policy {run.policyVersion}; times and days are
        those of {run.timeZone}, where the policy counts its days.{" "}
        {run.dryRun
          ? `${report.subjects} ${report.subjects === 1 ? "person has" : "people have"} records that would be erased`
          : `Records of ${report.subjects} ${report.subjects === 1 ? "person" : "people"} erased`}
        ; {report.heldSubjects} {report.heldSubjects === 1 ? "person" : "people"} under a legal hold kept
        everything.
        {run.status === "running" && !run.dryRun
          ? " This run is unfinished: run retention again to go on."
          : ""}
      </p>
      <div className="table-scroll">
        <table className="retention-report">
          <caption className="visually-hidden">
            {run.dryRun ? "What the run would erase" : "What the run erased"}
          </caption>
          <thead>
            <tr>
              <th scope="col">Records</th>
              <th scope="col">Categories</th>
              <th scope="col">Kept for</th>
              <th scope="col">Dated before</th>
              <th scope="col">{erased}</th>
              <th scope="col">Kept for a legal hold</th>
            </tr>
          </thead>
          <tbody>
            {report.items.map((item) => (
              <tr key={item.item}>
                <th scope="row">{ITEM_WORDS[item.item]}</th>
                <td>{item.categories.join(", ")}</td>
                <td>
                  {item.periods.map(periodWords).join(" or ")} from {item.from}
                  {item.reasons.length > 0 ? <span className="hint">: {item.reasons.join(" ")}</span> : null}
                </td>
                <td>{local(item.cutoff, run.timeZone)}</td>
                <td>{item.erased}</td>
                <td>{item.keptByHold}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {report.unenforced.length > 0 ? (
        <>
          <p>Periods of the policy that retention does not enforce, and why:</p>
          <ul>
            {report.unenforced.map((u) => (
              <li key={`${u.categories.join(",")}:${u.period}`}>
                {u.categories.join(", ")} ({periodWords(u.period)}): {u.why}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}
