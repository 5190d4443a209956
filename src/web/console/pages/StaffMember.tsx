import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert, Field, type FieldErrors } from "../../shared/forms.tsx";
import { day } from "../../shared/format.ts";
import type { Page } from "../types.ts";
import { staffMessage } from "../words.ts";
import type { Member } from "./Staff.tsx";

/** GET /v1/staff/:id/login */
export interface Login {
  readonly username: string | null;
  readonly canSignIn: boolean;
  readonly invitationOpen: boolean;
}

/** A member's console sign-in in words: set up, invited, or neither. */
export function signInState(login: Login | undefined): string {
  if (login === undefined) return "…";
  if (login.canSignIn) return login.invitationOpen ? "can sign in (invited again)" : "can sign in";
  return login.invitationOpen ? "invited, not set up yet" : "not invited";
}

interface Invitation {
  readonly username: string;
  readonly setupCode: string;
  readonly expiresAt: string;
}

interface Key {
  readonly id: string;
  readonly prefix: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

/** The API's rule (src/modules/staff/signin.ts), checked before sending. */
const USERNAME = /^[a-z0-9][a-z0-9._-]{1,62}$/;
const moment = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

/**
 * One member: their console sign-in and invitation, and their API keys. What the API shows once
 * (a set-up code, a new key) stays on screen until another member is chosen, and is never fetched
 * again.
 */
export function MemberPanel(props: {
  member: Member;
  roleName: string;
  login: Login | undefined;
  onInvited: () => void;
}) {
  const { member, login } = props;
  return (
    <section aria-labelledby="member-heading" className="panel staff-member">
      <h2 id="member-heading">
        {member.displayName} <span className="status">({props.roleName})</span>
      </h2>
      <Invite member={member} login={login} onInvited={props.onInvited} />
      <Keys member={member} />
    </section>
  );
}

function Invite({
  member,
  login,
  onInvited,
}: {
  member: Member;
  login: Login | undefined;
  onInvited: () => void;
}) {
  const [username, setUsername] = useState(login?.username ?? "");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [invitation, setInvitation] = useState<Invitation | null>(null);
  const [busy, setBusy] = useState(false);
  const known = login?.username ?? null;

  useEffect(() => {
    if (known !== null) setUsername((typed) => (typed === "" ? known : typed));
  }, [known]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const name = username.trim().toLowerCase();
    if (!USERNAME.test(name)) {
      setErrors({
        username: "A username is 2 to 63 lower-case letters, digits, dots, hyphens or underscores.",
      });
      return;
    }
    setErrors({});
    setBusy(true);
    setMessage(null);
    try {
      const { data } = await api<Invitation>("POST", `/v1/staff/${member.id}/invitation`, {
        body: { username: name },
      });
      setInvitation(data);
      onInvited();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setMessage(staffMessage(error.problem));
    }
    setBusy(false);
  };

  return (
    <>
      <h3>Console sign-in</h3>
      <p>
        Now: <strong>{signInState(login)}</strong>
        {login?.username ? ` (username ${login.username})` : ""}.
      </p>
      <form onSubmit={(e) => void submit(e)} noValidate className="narrow">
        <Field
          label="Username"
          name="username"
          autoComplete="off"
          autoCapitalize="none"
          hint="The member signs in with it. Inviting again lets them set up a new password and authenticator."
          value={username}
          error={errors.username}
          onChange={(e) => setUsername(e.target.value)}
        />
        <button type="submit" disabled={busy}>
          {login?.username ? "Invite again" : "Invite to the console"}
        </button>
      </form>
      <div aria-live="polite">
        {message ? <Alert>{message}</Alert> : null}
        {invitation ? (
          <div className="alert alert-success once" role="status">
            <p>
              Set-up code for <strong>{invitation.username}</strong>:{" "}
              <code className="secret" data-testid="setup-code">
                {invitation.setupCode}
              </code>
            </p>
            <p>
              It is shown this once, and works until {moment(invitation.expiresAt)}. Give the member the
              username and the code, and ask them to open <code>/console/setup</code> to choose a password and
              add the authenticator.
            </p>
          </div>
        ) : null}
      </div>
    </>
  );
}

function Keys({ member }: { member: Member }) {
  const [keys, setKeys] = useState<readonly Key[] | null>(null);
  const [made, setMade] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [cancelled, setCancelled] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);

  const act = useCallback(async (work: () => Promise<void>) => {
    setBusy(true);
    setMessage(null);
    try {
      await work();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setMessage(staffMessage(error.problem));
    }
    setBusy(false);
  }, []);

  const load = useCallback(async () => {
    const all: Key[] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ limit: "200" });
      if (cursor !== null) query.set("cursor", cursor);
      const answer: { data: Page<Key> } = await api<Page<Key>>("GET", `/v1/staff/${member.id}/keys?${query}`);
      all.push(...answer.data.items);
      cursor = answer.data.nextCursor;
    } while (cursor !== null);
    setKeys(all);
  }, [member.id]);

  useEffect(() => {
    void act(load);
  }, [act, load]);

  // The keyboard stays where the member is: on "Yes, revoke" when asked, back on "Revoke" when not.
  useEffect(() => {
    if (confirming !== null) confirmRef.current?.focus();
  }, [confirming]);
  useEffect(() => {
    if (cancelled !== null) document.getElementById(`revoke-${cancelled}`)?.focus();
  }, [cancelled]);

  const make = () =>
    act(async () => {
      const { data } = await api<Key & { key: string }>("POST", `/v1/staff/${member.id}/keys`);
      setMade(data.key);
      await load();
    });

  const revoke = (id: string) =>
    act(async () => {
      await api("DELETE", `/v1/keys/${id}`);
      setConfirming(null);
      await load();
    });

  return (
    <>
      <h3>API keys</h3>
      {keys === null ? (
        <p aria-busy="true">Loading…</p>
      ) : keys.length === 0 ? (
        <p>{member.displayName} has no API keys.</p>
      ) : (
        <table className="staff-keys">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Made</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id}>
                <th scope="row">
                  <code>pk_{k.prefix}_…</code>
                </th>
                <td>{day(k.createdAt)}</td>
                <td>{k.lastUsedAt === null ? "never" : moment(k.lastUsedAt)}</td>
                <td>
                  {k.revokedAt !== null ? (
                    `revoked ${day(k.revokedAt)}`
                  ) : confirming === k.id ? (
                    <span className="staff-confirm">
                      Programs using this key stop working at once.{" "}
                      <button
                        type="button"
                        ref={confirmRef}
                        disabled={busy}
                        onClick={() => void revoke(k.id)}
                      >
                        Yes, revoke pk_{k.prefix}_…
                      </button>{" "}
                      <button
                        type="button"
                        className="secondary"
                        onClick={() => {
                          setConfirming(null);
                          setCancelled(k.id);
                        }}
                      >
                        Cancel
                      </button>
                    </span>
                  ) : (
                    <>
                      in use{" "}
                      <button
                        type="button"
                        id={`revoke-${k.id}`}
                        className="secondary"
                        aria-label={`Revoke key pk_${k.prefix}_…`}
                        onClick={() => {
                          setCancelled(null);
                          setConfirming(k.id);
                        }}
                      >
                        Revoke
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button type="button" disabled={busy} onClick={() => void make()}>
        Make an API key
      </button>
      <div aria-live="polite">
        {message ? <Alert>{message}</Alert> : null}
        {made ? (
          <div className="alert alert-success once" role="status">
            <p>
              New key:{" "}
              <code className="secret" data-testid="new-key">
                {made}
              </code>
            </p>
            <p>Copy it now: it is shown this once. Pledge keeps only a fingerprint of it.</p>
          </div>
        ) : null}
      </div>
    </>
  );
}
