import { useCallback, useEffect, useState } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert, explain } from "../../shared/forms.tsx";
import { Clauses } from "../clauses.tsx";
import { GpcNotice } from "../gpc.tsx";
import { CHANNEL_NAMES, type Channel, type MyConsents, type PolicyView } from "../types.ts";

/** `blocked`: stopped by a sharing opt-out (no catalogues), which this grid does not undo. */
type Cell = "yes" | "no" | "stopped" | "blocked" | null;
interface Row {
  id: string;
  kind: "purpose" | "topic";
  name: string;
  channels: readonly Channel[];
  state: (channel: Channel) => Cell;
}

const CELL_TEXT: Record<Exclude<Cell, null>, string> = {
  yes: "Yes",
  no: "No",
  stopped: "Stopped",
  blocked: "Stopped",
};

/**
 * What the grid shows for a purpose or topic on a channel: the person's own choice on that channel,
 * else on every channel; for a topic, else its purpose's; else the policy's default (marketing
 * allowed until stopped when the basis is opt-out, nothing without a yes when it is consent). A
 * channel stopped by a sharing opt-out (PS-09's no catalogues) shows as stopped.
 */
function rowsOf(policy: PolicyView, mine: MyConsents): Row[] {
  const choice = (scope: string, channel: Channel) =>
    mine.consents.find((c) => c.scope === scope && c.channel === channel) ??
    mine.consents.find((c) => c.scope === scope && c.channel === "");
  const stoppedBySharing = (channel: Channel) =>
    policy.channelOptOuts.some((o) => o.channel === channel && mine.optOuts.includes(o.scope));
  const purposeState = (id: string, channel: Channel): Cell => {
    const purpose = policy.purposes.find((p) => p.id === id);
    if (purpose === undefined) return null;
    if (stoppedBySharing(channel)) return "blocked";
    const c = choice(id, channel);
    if (c !== undefined) return c.state === "granted" ? "yes" : "stopped";
    return purpose.basis === "opt_out" ? "yes" : "no";
  };
  const rows: Row[] = policy.purposes
    .filter((p) => p.marketing)
    .map((p) => ({
      id: p.id,
      kind: "purpose" as const,
      name: p.name,
      channels: p.channels,
      state: (ch: Channel) => purposeState(p.id, ch),
    }));
  for (const t of policy.topics) {
    rows.push({
      id: t.id,
      kind: "topic",
      name: t.name,
      channels: t.channels,
      state: (channel) => {
        if (stoppedBySharing(channel)) return "blocked";
        const c = choice(t.id, channel);
        if (c !== undefined) return c.state === "granted" ? "yes" : "stopped";
        const governing = purposeState(t.purpose, channel);
        return governing === "stopped" || governing === "blocked" ? governing : "no";
      },
    });
  }
  return rows;
}

/**
 * My preferences: topics and purposes × channels as one grid, and each channel stopped in one
 * click (ZM-06): an opt-out request (POST /v1/account/requests, kind opt_out_channel) that is done
 * at once. Each cell turns on or off on its own (POST /v1/account/me/consents, the person's own
 * choice on that channel). Essential messages (orders, security, policy changes) still reach the person; the page
 * says so in the words of the policy.
 */
export function Preferences({ policy }: { policy: PolicyView }) {
  const [mine, setMine] = useState<MyConsents | null>(null);
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(async () => {
    const { data } = await api<MyConsents>("GET", "/v1/account/me/consents");
    setMine(data);
  }, []);
  useEffect(() => {
    load().catch((error: unknown) => {
      if (error instanceof ApiError) setMessage({ kind: "error", text: explain(error.problem).message });
    });
  }, [load]);

  const ask = async (key: string, body: object, done: string, path = "/v1/account/requests") => {
    setBusy(key);
    try {
      await api("POST", path, { body });
      await load();
      setMessage({ kind: "success", text: done });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setMessage({ kind: "error", text: explain(error.problem).message });
    } finally {
      setBusy(null);
    }
  };

  if (mine === null) {
    return (
      <>
        <h1>My preferences</h1>
        {message ? <Alert kind={message.kind}>{message.text}</Alert> : <p>Loading your preferences…</p>}
      </>
    );
  }

  const rows = rowsOf(policy, mine);
  const channels = [...new Set(rows.flatMap((r) => r.channels))];
  const clauses = [
    ...new Set(
      rows.flatMap((r) => [
        ...(policy.purposes.find((p) => p.id === r.id)?.clauses ?? []),
        ...(policy.topics.find((t) => t.id === r.id)?.clauses ?? []),
      ]),
    ),
  ];
  const catalogues = policy.channelOptOuts.find((o) => o.scope === "catalogues");
  const sharingStopped =
    policy.sharing.length > 0 && policy.sharing.every((s) => mine.optOuts.includes(s.scope));

  return (
    <>
      <h1>My preferences</h1>
      <GpcNotice gpc={mine.gpc} />
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      <section aria-labelledby="grid" className="panel">
        <h2 id="grid">What we may send you, and how</h2>
        {rows.length === 0 ? (
          <p>{policy.name} sends no marketing.</p>
        ) : (
          <div className="table-scroll">
            <table className="grid">
              <caption>
                Marketing by topic and channel. Messages about your orders, account and security are not
                affected.
              </caption>
              <thead>
                <tr>
                  <th scope="col">Messages</th>
                  {channels.map((ch) => (
                    <th scope="col" key={ch}>
                      {CHANNEL_NAMES[ch]}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.id}>
                    <th scope="row">{row.name}</th>
                    {channels.map((ch) => {
                      const cell = row.channels.includes(ch) ? row.state(ch) : null;
                      return (
                        <td key={ch} className={cell === null ? "na" : `state-${cell}`}>
                          {cell === null ? (
                            <span aria-label="not sent on this channel">–</span>
                          ) : (
                            <>
                              {CELL_TEXT[cell]}
                              {cell === "blocked" ? null : (
                                <button
                                  type="button"
                                  className="link-button cell-toggle"
                                  disabled={busy !== null}
                                  onClick={() =>
                                    void ask(
                                      `cell:${row.id}:${ch}`,
                                      {
                                        targetKind: row.kind,
                                        target: row.id,
                                        channel: ch,
                                        action: cell === "yes" ? "withdrawn" : "granted",
                                      },
                                      `${row.name} by ${CHANNEL_NAMES[ch].toLowerCase()}: ${cell === "yes" ? "turned off" : "turned on"}.`,
                                      "/v1/account/me/consents",
                                    )
                                  }
                                >
                                  {cell === "yes" ? "Turn off" : "Turn on"}
                                  <span className="visually-hidden">
                                    {" "}
                                    {row.name} by {CHANNEL_NAMES[ch].toLowerCase()}
                                  </span>
                                </button>
                              )}
                            </>
                          )}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">Stop a whole channel</th>
                  {channels.map((ch) => {
                    const allStopped = rows.every((r) => !r.channels.includes(ch) || r.state(ch) !== "yes");
                    return (
                      <td key={ch}>
                        <button
                          type="button"
                          className="secondary"
                          disabled={busy !== null || allStopped}
                          onClick={() =>
                            void ask(
                              `channel:${ch}`,
                              { kind: "opt_out_channel", details: { channel: ch } },
                              `${CHANNEL_NAMES[ch]} marketing is stopped. Messages about your orders, account and security still reach you.`,
                            )
                          }
                        >
                          {allStopped
                            ? `${CHANNEL_NAMES[ch]} stopped`
                            : `Stop ${CHANNEL_NAMES[ch].toLowerCase()}`}
                          <span className="visually-hidden"> marketing</span>
                        </button>
                      </td>
                    );
                  })}
                </tr>
              </tfoot>
            </table>
          </div>
        )}
        <Clauses policy={policy} ids={clauses} label="What the policy says about these messages" />
      </section>
      {catalogues === undefined && policy.sharing.length === 0 ? null : (
        <section aria-labelledby="sharing" className="panel">
          <h2 id="sharing">Catalogues and sharing</h2>
          {catalogues === undefined ? null : (
            <div className="choice-row">
              <p>
                Catalogues by post:{" "}
                <strong>{mine.optOuts.includes(catalogues.scope) ? "stopped" : "we may send them"}</strong>
              </p>
              <button
                type="button"
                className="secondary"
                disabled={busy !== null || mine.optOuts.includes(catalogues.scope)}
                onClick={() =>
                  void ask("catalogues", { kind: "opt_out_catalogues" }, "You will get no more catalogues.")
                }
              >
                No catalogues
              </button>
              <Clauses
                policy={policy}
                ids={catalogues.clauses}
                label="What this means, in the words of the policy"
              />
            </div>
          )}
          {policy.sharing.length === 0 ? null : (
            <div className="choice-row">
              <p>
                Sharing with {policy.sharing.flatMap((s) => s.recipients).join(", ")}:{" "}
                <strong>{sharingStopped ? "stopped" : "allowed"}</strong>
              </p>
              <button
                type="button"
                className="secondary"
                disabled={busy !== null || sharingStopped}
                onClick={() =>
                  void ask(
                    "sharing",
                    { kind: "opt_out_sharing" },
                    "We no longer share your data with partners.",
                  )
                }
              >
                Do not share my data with partners
              </button>
              <Clauses
                policy={policy}
                ids={policy.sharing.flatMap((s) => s.clauses)}
                label="What this means, in the words of the policy"
              />
            </div>
          )}
        </section>
      )}
    </>
  );
}
