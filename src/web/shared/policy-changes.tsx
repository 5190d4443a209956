import { useState, type FormEvent } from "react";
import { api, ApiError, type Problem } from "./api.ts";
import { Alert } from "./forms.tsx";

/** GET /v1/policy/changes (src/http/policy-view.routes.ts). */
export interface PolicyChanges {
  readonly from: string;
  readonly to: string;
  readonly material: boolean;
  readonly changes: readonly {
    readonly area: string;
    readonly id: string;
    readonly kind: string;
    readonly detail: string;
    readonly material: boolean;
    readonly why: string | null;
  }[];
}

/**
 * What changed between two versions (GET /v1/policy/changes), for the privacy center and the
 * console alike: material changes first, each with the rule that makes it material (a change
 * that lets the company do more with a person's data, or takes a protection away), then the
 * others. `explain` puts the API's refusal in the reader's words; `headingLevel` fits the page.
 */
export function ChangesPanel(props: {
  readonly versions: readonly string[];
  readonly explain: (problem: Problem) => string;
  readonly headingLevel?: 2 | 3;
}) {
  const { versions, explain } = props;
  const [from, setFrom] = useState(versions.at(-2) ?? versions[0] ?? "");
  const [to, setTo] = useState(versions.at(-1) ?? "");
  const [shown, setShown] = useState<PolicyChanges | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const compare = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    try {
      const query = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
      setShown((await api<PolicyChanges>("GET", `/v1/policy/changes?${query}`)).data);
    } catch (error) {
      setProblem(error instanceof ApiError ? explain(error.problem) : "The comparison failed.");
    }
  };
  const ordered =
    shown === null ? [] : [...shown.changes].sort((a, b) => Number(b.material) - Number(a.material));
  const Heading = props.headingLevel === 3 ? "h3" : "h2";
  return (
    <section aria-labelledby="changes" className="panel">
      <Heading id="changes">What changed between two versions</Heading>
      <form className="compare" onSubmit={(e) => void compare(e)}>
        <div>
          <label htmlFor="changes-from">From version</label>
          <select id="changes-from" value={from} onChange={(e) => setFrom(e.target.value)}>
            {versions.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="changes-to">To version</label>
          <select id="changes-to" value={to} onChange={(e) => setTo(e.target.value)}>
            {versions.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </div>
        <button type="submit">Show the changes</button>
      </form>
      {problem ? <Alert kind="error">{problem}</Alert> : null}
      {shown === null ? null : (
        <>
          <p role="status">
            From {shown.from} to {shown.to}: {shown.changes.length}{" "}
            {shown.changes.length === 1 ? "change" : "changes"}
            {shown.material
              ? `, ${shown.changes.filter((c) => c.material).length} of them material.`
              : ", none of them material."}
          </p>
          <ul className="changes">
            {ordered.map((c) => (
              <li key={`${c.area}:${c.id}:${c.detail}`} className={c.material ? "material" : undefined}>
                {c.material ? <strong>Material: </strong> : null}
                <span className="changed-id">{c.id}</span>: {c.detail}
                {c.why === null ? null : <span className="why"> ({c.why})</span>}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
