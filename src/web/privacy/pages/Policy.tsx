import { useEffect, useState, type FormEvent } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert, explain } from "../../shared/forms.tsx";
import { Link } from "../../shared/router.tsx";
import type { PolicyView } from "../types.ts";

/**
 * The published policy, rendered from the pack (ALL-01): each clause's words with its id, every
 * version that has taken effect (Z16-16, Z19-08), each readable here and as the printable page,
 * and what changed between any two of them.
 */
export function PolicyPage({ current, version }: { current: PolicyView; version: string | null }) {
  const [shown, setShown] = useState<PolicyView | null>(version === null ? current : null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (version === null) {
      setShown(current);
      return;
    }
    setShown(null);
    setProblem(null);
    api<PolicyView>("GET", `/v1/policy?version=${encodeURIComponent(version)}`).then(
      ({ data }) => setShown(data),
      (error: unknown) =>
        setProblem(error instanceof ApiError ? "There is no such version of the policy." : String(error)),
    );
  }, [version, current]);

  return (
    <>
      <h1>{version === null ? "Privacy policy" : `Privacy policy, version ${version}`}</h1>
      {problem ? <Alert>{problem}</Alert> : null}
      {shown === null ? null : (
        <>
          <p className="lead">
            {shown.name}, version {shown.version}, effective {shown.effectiveFrom.slice(0, 10)}, last updated{" "}
            {shown.lastUpdated}.{" "}
            {shown.version === current.version
              ? "This is the version in force."
              : "This is an earlier version."}{" "}
            <a href={version === null ? "/policy" : `/policy/versions/${encodeURIComponent(shown.version)}`}>
              Printable version
            </a>
          </p>
          <div className="clauses">
            {shown.clauses.map((c) => (
              <section key={c.id} id={c.id} aria-labelledby={`clause-${c.id}`} className="clause">
                <h2 id={`clause-${c.id}`}>
                  {c.title} <span className="clause-id">{c.id}</span>
                </h2>
                <p>{c.text}</p>
              </section>
            ))}
          </div>
        </>
      )}
      <section aria-labelledby="versions" className="panel">
        <h2 id="versions">Every version</h2>
        <table>
          <caption>Versions of the {current.name} privacy policy, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Effective</th>
              <th scope="col">Last updated</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {current.versions.map((v) => (
              <tr key={v.version}>
                <th scope="row">
                  <Link to={v.inForce ? "/privacy" : `/privacy/versions/${encodeURIComponent(v.version)}`}>
                    {v.version}
                  </Link>
                </th>
                <td>{v.effectiveFrom.slice(0, 10)}</td>
                <td>{v.lastUpdated}</td>
                <td>{v.inForce ? "In force" : "Earlier version"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {current.versions.length > 1 ? <Changes versions={current.versions.map((v) => v.version)} /> : null}
    </>
  );
}

interface PolicyChanges {
  from: string;
  to: string;
  material: boolean;
  changes: {
    area: string;
    id: string;
    kind: string;
    detail: string;
    material: boolean;
    why: string | null;
  }[];
}

/**
 * What changed between two versions (GET /v1/policy/changes): material changes first, each with
 * the rule that makes it material (a change that lets the company do more with a person's data,
 * or takes a protection away), then the others.
 */
function Changes({ versions }: { versions: string[] }) {
  const [from, setFrom] = useState(versions.at(-2)!);
  const [to, setTo] = useState(versions.at(-1)!);
  const [shown, setShown] = useState<PolicyChanges | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const compare = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    try {
      const query = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
      setShown((await api<PolicyChanges>("GET", `/v1/policy/changes?${query}`)).data);
    } catch (error) {
      setProblem(error instanceof ApiError ? explain(error.problem).message : "The comparison failed.");
    }
  };
  const ordered =
    shown === null ? [] : [...shown.changes].sort((a, b) => Number(b.material) - Number(a.material));
  return (
    <section aria-labelledby="changes" className="panel">
      <h2 id="changes">What changed between two versions</h2>
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
