import { useCallback, useEffect, useRef, useState, type ChangeEvent, type FormEvent } from "react";
import { api, ApiError, type Problem } from "../../shared/api.ts";
import { Alert } from "../../shared/forms.tsx";
import { ChangesPanel, type PolicyChanges } from "../../shared/policy-changes.tsx";
import type { PageProps } from "../pages.tsx";
import { publishRefusal, staffMessage } from "../words.ts";

/** The part of GET /v1/policy (src/http/policy-view.routes.ts) this page shows. */
interface PolicyText {
  readonly version: string;
  readonly effectiveFrom: string;
  readonly lastUpdated: string;
  readonly clauses: readonly { readonly id: string; readonly title: string; readonly text: string }[];
  /** Every version that has taken effect, oldest first. */
  readonly versions: readonly {
    readonly version: string;
    readonly effectiveFrom: string;
    readonly lastUpdated: string;
    readonly inForce: boolean;
  }[];
}

/** The answer of POST /v1/policy/versions (src/modules/policy-versions/versions.routes.ts). */
interface Published {
  readonly version: string;
  readonly effectiveFrom: string;
  readonly follows: string | null;
  readonly inForce: boolean;
  readonly material: boolean;
  readonly changes: PolicyChanges["changes"];
  readonly announcement: { readonly note: string };
}

/**
 * The company's policy, version by version: every version that has taken effect, any one of them
 * read clause by clause, what changed between two (material changes flagged, as the privacy
 * center shows them), and, for administrators, publishing a new version. The API decides whether
 * a pack may be published; its refusal is shown in words with the lines at fault.
 */
export function Policy({ me }: PageProps) {
  const [current, setCurrent] = useState<PolicyText | null>(null);
  const [shown, setShown] = useState<PolicyText | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  // A version opened from the table: its heading takes the focus, far down the page.
  const [opened, setOpened] = useState(false);

  const load = useCallback(async () => {
    try {
      const { data } = await api<PolicyText>("GET", "/v1/policy");
      setCurrent(data);
      setShown((s) => s ?? data);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setMessage(staffMessage(error.problem));
    }
  }, []);
  useEffect(() => void load(), [load]);

  const open = async (version: string) => {
    setMessage(null);
    try {
      const { data } = await api<PolicyText>("GET", `/v1/policy?version=${encodeURIComponent(version)}`);
      setShown(data);
      setOpened(true);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setMessage(staffMessage(error.problem));
    }
  };

  return (
    <>
      <h1>Policy</h1>
      {message ? <Alert>{message}</Alert> : null}
      {current === null ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <>
          <section aria-labelledby="versions">
            <h2 id="versions">Versions</h2>
            <table className="policy-versions">
              <caption className="visually-hidden">Versions that have taken effect, oldest first</caption>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Effective</th>
                  <th scope="col">Last updated</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Read</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {current.versions.map((v) => (
                  <tr key={v.version} aria-current={shown?.version === v.version ? "true" : undefined}>
                    <th scope="row">{v.version}</th>
                    <td>{v.effectiveFrom.slice(0, 10)}</td>
                    <td>{v.lastUpdated}</td>
                    <td>{v.inForce ? "In force" : "Earlier version"}</td>
                    <td>
                      <button type="button" className="link-button" onClick={() => void open(v.version)}>
                        Read version {v.version}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          {current.versions.length > 1 ? (
            <ChangesPanel versions={current.versions.map((v) => v.version)} explain={staffMessage} />
          ) : null}
          {me.role === "admin" ? <Publish onPublished={() => void load()} /> : null}
          {shown === null ? null : <PolicyClauses policy={shown} focus={opened} />}
        </>
      )}
    </>
  );
}

function PolicyClauses({ policy, focus }: { policy: PolicyText; focus: boolean }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focus) heading.current?.focus();
  }, [focus, policy]);
  return (
    <section aria-labelledby="shown-version" className="policy-text">
      <h2 id="shown-version" ref={heading} tabIndex={-1}>
        Version {policy.version}
      </h2>
      <p>
        Effective {policy.effectiveFrom.slice(0, 10)}, last updated {policy.lastUpdated}:{" "}
        {policy.clauses.length} clauses.
      </p>
      {policy.clauses.map((c) => (
        <section key={c.id} aria-labelledby={`clause-${c.id}`} className="clause">
          <h3 id={`clause-${c.id}`}>
            {c.title} <span className="clause-id">{c.id}</span>
          </h3>
          <p>{c.text}</p>
        </section>
      ))}
    </section>
  );
}

/** POST /v1/policy/versions with the pack's YAML, typed or read from a file. */
function Publish({ onPublished }: { onPublished: () => void }) {
  const [yaml, setYaml] = useState("");
  const [refusal, setRefusal] = useState<Problem | null>(null);
  const [done, setDone] = useState<Published | null>(null);
  const [missing, setMissing] = useState(false);
  const [busy, setBusy] = useState(false);

  const read = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file !== undefined) setYaml(await file.text());
  };

  const publish = async (event: FormEvent) => {
    event.preventDefault();
    setRefusal(null);
    setDone(null);
    setMissing(yaml.trim() === "");
    if (yaml.trim() === "") return;
    setBusy(true);
    try {
      const { data } = await api<Published>("POST", "/v1/policy/versions", { body: { yaml } });
      setDone(data);
      onPublished();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setRefusal(error.problem);
    }
    setBusy(false);
  };

  return (
    <section aria-labelledby="publish" className="panel policy-publish">
      <h2 id="publish">Publish a new version</h2>
      <p>
        A new version takes effect at its <code>effective_from</code>, or now if that has passed; it never
        applies to what was done before. A material change is announced to the people it concerns.
      </p>
      <form onSubmit={(e) => void publish(e)} noValidate>
        <div className="field">
          <label htmlFor="pack-file">Pack file (YAML)</label>
          <input
            id="pack-file"
            type="file"
            accept=".yaml,.yml,application/yaml,text/yaml"
            onChange={(e) => void read(e)}
          />
        </div>
        <div className="field">
          <label htmlFor="pack-yaml">Pack (YAML)</label>
          <p id="pack-yaml-hint" className="hint">
            Choose a file above, or paste the pack here.
          </p>
          <textarea
            id="pack-yaml"
            rows={12}
            spellCheck={false}
            value={yaml}
            aria-invalid={missing ? true : undefined}
            aria-describedby={missing ? "pack-yaml-hint pack-yaml-error" : "pack-yaml-hint"}
            onChange={(e) => setYaml(e.target.value)}
          />
          {missing ? (
            <p id="pack-yaml-error" className="field-error">
              Choose a pack file or paste the pack.
            </p>
          ) : null}
        </div>
        <button type="submit" disabled={busy}>
          Publish this version
        </button>
      </form>
      {refusal === null ? null : (
        <Alert>
          <p>{publishRefusal(refusal)}</p>
          {refusal.errors && refusal.errors.length > 0 ? (
            <ul className="pack-issues">
              {refusal.errors.map((e) => (
                <li key={`${e.path}:${e.message}`}>
                  {e.path === "" ? "" : <code>{e.path}</code>} {e.message}
                </li>
              ))}
            </ul>
          ) : null}
        </Alert>
      )}
      {done === null ? null : (
        <Alert kind="success">
          Version {done.version} is published
          {done.inForce
            ? " and in force now"
            : `; it takes effect ${new Date(done.effectiveFrom).toLocaleString()}`}
          {done.follows === null ? "" : `, after ${done.follows}`}: {done.changes.length}{" "}
          {done.changes.length === 1 ? "change" : "changes"}
          {done.material
            ? `, ${done.changes.filter((c) => c.material).length} material`
            : ", none material"}. {done.announcement.note}
        </Alert>
      )}
    </section>
  );
}
