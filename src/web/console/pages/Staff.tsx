import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert, cardGuard, Field, Select, type FieldErrors } from "../../shared/forms.tsx";
import { day } from "../../shared/format.ts";
import type { PageProps } from "../pages.tsx";
import type { Page } from "../types.ts";
import { staffMessage } from "../words.ts";
import { MemberPanel, signInState, type Login } from "./StaffMember.tsx";

export interface Member {
  readonly id: string;
  readonly displayName: string;
  readonly role: string;
  readonly attestedAt: string | null;
  readonly createdAt: string;
}

/**
 * Staff and their keys, for administrators: the members (oldest first), adding one with a role
 * from the pack or admin, and for the member chosen, the console invitation and the API keys.
 * A set-up code and a new key are shown once, as the API answers them once.
 */
export function Staff({ me }: PageProps) {
  const [members, setMembers] = useState<readonly Member[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [logins, setLogins] = useState<ReadonlyMap<string, Login>>(new Map());
  const [chosen, setChosen] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);

  const roles = Object.fromEntries(me.roles.map((r) => [r.id, r.name]));

  const loadLogins = useCallback(async (ids: readonly string[]) => {
    const found = await Promise.all(
      ids.map(async (id) => [id, (await api<Login>("GET", `/v1/staff/${id}/login`)).data] as const),
    );
    setLogins((known) => new Map([...known, ...found]));
  }, []);

  const load = useCallback(
    async (cursor: string | null) => {
      try {
        const query = new URLSearchParams({ limit: "100" });
        if (cursor !== null) query.set("cursor", cursor);
        const { data } = await api<Page<Member>>("GET", `/v1/staff?${query.toString()}`);
        setMembers((known) => (cursor === null ? data.items : [...known, ...data.items]));
        setNext(data.nextCursor);
        await loadLogins(data.items.map((m) => m.id));
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        setMessage(staffMessage(error.problem));
      }
      setLoaded(true);
    },
    [loadLogins],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  const member = members.find((m) => m.id === chosen) ?? null;

  return (
    <>
      <h1>Staff and keys</h1>
      <p className="lead">
        Add staff, invite them to the console, and make or revoke the API keys programs use on their behalf.
      </p>
      {message ? <Alert>{message}</Alert> : null}
      <AddMember
        roles={roles}
        onAdded={(m) => {
          setMembers((known) => [...known, m]);
          setChosen(m.id);
          void loadLogins([m.id]);
        }}
      />
      <section aria-labelledby="staff-heading">
        <h2 id="staff-heading">Staff</h2>
        {!loaded ? (
          <p aria-busy="true">Loading…</p>
        ) : (
          <table className="staff-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Console sign-in</th>
                <th scope="col">Attestation</th>
                <th scope="col">Added</th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.id} className={m.id === chosen ? "chosen" : undefined}>
                  <th scope="row">
                    <button
                      type="button"
                      className="link-button"
                      aria-pressed={m.id === chosen}
                      onClick={() => setChosen(m.id)}
                    >
                      {m.displayName}
                    </button>
                  </th>
                  <td>{roles[m.role] ?? m.role}</td>
                  <td>{signInState(logins.get(m.id))}</td>
                  <td>{m.attestedAt === null ? "not on file" : day(m.attestedAt)}</td>
                  <td>{day(m.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {next !== null ? (
          <button type="button" className="secondary" onClick={() => void load(next)}>
            Show more staff
          </button>
        ) : null}
      </section>
      {member ? (
        <MemberPanel
          key={member.id}
          member={member}
          roleName={roles[member.role] ?? member.role}
          login={logins.get(member.id)}
          onInvited={() => void loadLogins([member.id])}
        />
      ) : (
        <p>Choose a member by name to invite them to the console or manage their keys.</p>
      )}
    </>
  );
}

function AddMember({
  roles,
  onAdded,
}: {
  roles: Readonly<Record<string, string>>;
  onAdded: (member: Member) => void;
}) {
  const [displayName, setDisplayName] = useState("");
  const [role, setRole] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems: FieldErrors = {};
    if (displayName.trim() === "") problems.displayName = "Enter the member's name.";
    if (role === "") problems.role = "Choose a role.";
    Object.assign(problems, cardGuard({ displayName }));
    setErrors(problems);
    setAdded(null);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    setMessage(null);
    try {
      const { data } = await api<Member>("POST", "/v1/staff", {
        body: { displayName: displayName.trim(), role },
      });
      setAdded(data.displayName);
      setDisplayName("");
      setRole("");
      onAdded(data);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setMessage(staffMessage(error.problem));
    }
    setBusy(false);
  };

  return (
    <section aria-labelledby="add-heading">
      <h2 id="add-heading">Add a staff member</h2>
      <form onSubmit={(e) => void submit(e)} noValidate className="staff-add">
        <Field
          label="Name"
          name="displayName"
          autoComplete="off"
          value={displayName}
          error={errors.displayName}
          onChange={(e) => setDisplayName(e.target.value)}
        />
        <Select
          label="Role"
          name="role"
          none="Choose a role…"
          options={roles}
          value={role}
          error={errors.role}
          onChange={(e) => setRole(e.target.value)}
        />
        <button type="submit" disabled={busy}>
          Add the member
        </button>
      </form>
      <div aria-live="polite">
        {added ? <Alert kind="success">Added {added}. Invite them to the console below.</Alert> : null}
        {message ? <Alert>{message}</Alert> : null}
      </div>
    </section>
  );
}
