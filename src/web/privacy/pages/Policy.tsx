import { useEffect, useState } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert, explain } from "../../shared/forms.tsx";
import { ChangesPanel } from "../../shared/policy-changes.tsx";
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
      {current.versions.length > 1 ? (
        <ChangesPanel
          versions={current.versions.map((v) => v.version)}
          explain={(problem) => explain(problem).message}
        />
      ) : null}
    </>
  );
}
