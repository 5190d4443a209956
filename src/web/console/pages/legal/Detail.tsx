import { useCallback, useEffect, useState } from "react";
import {
  APPROVALS_NEEDED,
  type LegalRequest,
  type LegalState,
  type Production,
} from "../../../../modules/legal/legal.ts";
import { api, ApiError } from "../../../shared/api.ts";
import { Alert, cardGuard } from "../../../shared/forms.tsx";
import { Link } from "../../../shared/router.tsx";
import type { PageProps } from "../../pages.tsx";
import { staffMessage } from "../../words.ts";
import { actorWords, INSTRUMENT_WORDS, legalRefusal, STATE_WORDS, when } from "./words.ts";

type Message = { kind: "error" | "success"; text: string } | null;
type Move = "approve" | "produce" | "refuse" | "withdraw";

const OPEN = new Set(["received", "approved"]);
const CLOSED_WORDS: Partial<Record<LegalState, string>> = {
  produced: "Produced",
  refused: "Refused",
  withdrawn: "Withdrawal recorded",
};

/**
 * One legal request: its scope, its approvals and what can be done to it now. Every move is the
 * API's: a refusal (producing before the second approval, the receiver approving) is shown in
 * words and the request as it stands. A production's answer, the values handed to the authority
 * with each person's ledger row, is shown once, on this page, and kept nowhere else.
 */
export function LegalRequestPage({ me, id }: PageProps & { id: string }) {
  const [r, setR] = useState<LegalRequest | null | undefined>(undefined);
  const [message, setMessage] = useState<Message>(null);
  const [production, setProduction] = useState<Production | null>(null);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setR((await api<LegalRequest>("GET", `/v1/legal/requests/${id}`)).data);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.problem.status === 404) setR(null);
      else setMessage({ kind: "error", text: staffMessage(error.problem) });
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  const act = async (move: Move) => {
    if (!r) return;
    setMessage(null);
    if ((move === "refuse" || move === "withdraw") && Object.keys(cardGuard({ note })).length > 0) {
      setMessage({ kind: "error", text: "The note looks like it holds a payment card number: remove it." });
      return;
    }
    setBusy(true);
    try {
      const base = `/v1/legal/requests/${r.id}`;
      const trimmed = note.trim();
      const closing = trimmed === "" ? {} : { note: trimmed };
      let after: LegalRequest;
      if (move === "approve") after = (await api<LegalRequest>("POST", `${base}/approvals`)).data;
      else if (move === "produce") {
        const { data } = await api<Production>("POST", `${base}/production`, { body: {} });
        setProduction(data);
        after = data.request;
      } else after = (await api<LegalRequest>("POST", `${base}/${move}`, { body: closing })).data;
      setR(after);
      setNote("");
      setMessage({ kind: "success", text: doneWords(move, after) });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setMessage({ kind: "error", text: legalRefusal(error.problem, r, me.staffId) });
      await load();
    } finally {
      setBusy(false);
    }
  };

  if (r === undefined) return message ? <Alert>{message.text}</Alert> : <p aria-busy="true">Loading…</p>;
  if (r === null) {
    return (
      <>
        <h1>No such legal request</h1>
        <p>
          There is no legal request {id}. <Link to="/console/legal">Back to the register</Link>.
        </p>
      </>
    );
  }
  return (
    <>
      <p className="requests-back">
        <Link to="/console/legal">Back to the register</Link>
      </p>
      <h1>
        {INSTRUMENT_WORDS[r.instrument]} from {r.authority}{" "}
        <span className="status">({STATE_WORDS[r.state]})</span>
      </h1>
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      <Facts r={r} me={me.staffId} />
      <section aria-labelledby="legal-scope">
        <h2 id="legal-scope">Scope</h2>
        <p>
          The fields asked for: <strong>{r.fields.join(", ")}</strong>, of {r.subjects.length}{" "}
          {r.subjects.length === 1 ? "person" : "people"}:
        </p>
        <ul className="legal-ids">
          {r.subjects.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="legal-approvals">
        <h2 id="legal-approvals">
          Approvals ({r.approvals.length} of {APPROVALS_NEEDED})
        </h2>
        {r.approvals.length === 0 ? (
          <p>No approval yet.</p>
        ) : (
          <ul>
            {r.approvals.map((a) => (
              <li key={a.by}>
                {actorWords(a.by, me.staffId)}, {when(a.at)}
              </li>
            ))}
          </ul>
        )}
        <p className="hint">
          Two staff members other than the one who received the request approve it; nobody approves twice.
        </p>
      </section>
      {OPEN.has(r.state) ? (
        <section aria-labelledby="legal-act">
          <h2 id="legal-act">Act on it</h2>
          <div className="campaign-actions">
            {r.state === "received" ? (
              <button type="button" disabled={busy} onClick={() => void act("approve")}>
                Approve
              </button>
            ) : null}
            <button type="button" disabled={busy} onClick={() => void act("produce")}>
              Produce to the authority
            </button>
          </div>
          <p className="hint">
            Producing hands the fields in scope to {r.authority} through the policy and records each person in
            the disclosure ledger; the people are told
            {r.nondisclosureUntil === null
              ? ""
              : ` once the non-disclosure order ends (${when(r.nondisclosureUntil)})`}
            .
          </p>
          <div className="field legal-note">
            <label htmlFor="legal-note">Note for a refusal or a withdrawal (optional)</label>
            <textarea
              id="legal-note"
              rows={2}
              maxLength={500}
              value={note}
              onChange={(e) => setNote(e.target.value.replace(/[\r\n]+/g, " "))}
            />
          </div>
          <div className="campaign-actions">
            <button type="button" disabled={busy} onClick={() => void act("refuse")}>
              Refuse the request
            </button>
            <button type="button" disabled={busy} onClick={() => void act("withdraw")}>
              Record its withdrawal
            </button>
          </div>
        </section>
      ) : (
        <p>This request is {STATE_WORDS[r.state].toLowerCase()}: nothing more can be done to it.</p>
      )}
      {production ? (
        <Produced p={production} />
      ) : r.state === "produced" ? (
        <p>
          What was produced is in the disclosure ledger: a row of kind <code>legal</code> on ground{" "}
          <code>{r.ground}</code> for each person, counted under the authorities in the{" "}
          <Link to="/console/disclosures">Disclosures</Link> report.
        </p>
      ) : null}
    </>
  );
}

function doneWords(move: Move, after: LegalRequest): string {
  switch (move) {
    case "approve":
      return after.state === "approved"
        ? "Approved: the request has its two approvals and may be produced."
        : `Approved: ${APPROVALS_NEEDED - after.approvals.length} more approval needed before production.`;
    case "produce":
      return "Produced: the data below went to the authority and is recorded in the disclosure ledger.";
    case "refuse":
      return "Refused: nothing will be produced.";
    case "withdraw":
      return "Withdrawal recorded: nothing will be produced.";
    default: {
      const never: never = move;
      return never;
    }
  }
}

function Facts({ r, me }: { r: LegalRequest; me: string }) {
  const rows: [string, string][] = [
    ["Reference", r.reference],
    ["Authority", `${r.authority} (${r.country})`],
    ["Instrument", INSTRUMENT_WORDS[r.instrument]],
    ["Ground", r.ground],
    ["State", STATE_WORDS[r.state]],
    ["Received", `${when(r.receivedAt)} by ${actorWords(r.receivedBy, me).replace(/^You$/, "you")}`],
    [
      "Non-disclosure order",
      r.nondisclosureUntil === null
        ? "None: the people are told after a production"
        : `Until ${when(r.nondisclosureUntil)}`,
    ],
  ];
  if (r.justification !== null) rows.push(["Why it could not wait", r.justification]);
  if (r.closedAt !== null && r.closedBy !== null)
    rows.push([
      CLOSED_WORDS[r.state] ?? "Closed",
      `${when(r.closedAt)} by ${actorWords(r.closedBy, me).replace(/^You$/, "you")}`,
    ]);
  if (r.note !== null) rows.push(["Note", r.note]);
  return (
    <dl className="requests-facts">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The production's answer: each person's ledger row and the values handed over. */
function Produced({ p }: { p: Production }) {
  const fields = p.request.fields;
  return (
    <section aria-labelledby="legal-produced">
      <h2 id="legal-produced">What was produced</h2>
      <p className="hint">
        Shown once, to hand to the authority: the disclosure ledger keeps a row for each person (what was
        disclosed, to whom, on what ground), not these values. The company-wide report on the{" "}
        <Link to="/console/disclosures">Disclosures</Link> page counts them under the authorities.
      </p>
      <div className="table-scroll">
        <table className="legal-produced">
          <thead>
            <tr>
              <th scope="col">Person</th>
              <th scope="col">Ledger row</th>
              {fields.map((f) => (
                <th key={f} scope="col">
                  {f}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {p.records.map((rec) => (
              <tr key={rec.subjectId}>
                <th scope="row">{rec.subjectId}</th>
                <td>{rec.disclosureId}</td>
                {fields.map((f) => (
                  <td key={f}>
                    {f === "message_content" ? (
                      <Messages list={rec.messages ?? []} />
                    ) : (
                      (rec.values[f] ?? "—")
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {p.withheld.length > 0 ? (
        <p>
          Nothing was produced for {p.withheld.length} {p.withheld.length === 1 ? "person" : "people"} named
          (erased since, or the policy reaches them no more): {p.withheld.join(", ")}.
        </p>
      ) : null}
    </section>
  );
}

function Messages({ list }: { list: NonNullable<Production["records"][number]["messages"]> }) {
  if (list.length === 0) return <>No message</>;
  return (
    <ul>
      {list.map((m) => (
        <li key={m.messageId}>
          {when(m.at)}: {m.content}
        </li>
      ))}
    </ul>
  );
}
