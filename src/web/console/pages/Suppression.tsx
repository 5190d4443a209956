import { useState, type FormEvent } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert, cardGuard, Field, Select, type FieldErrors } from "../../shared/forms.tsx";
import { day } from "../../shared/format.ts";
import type { PageProps } from "../pages.tsx";
import { staffMessage } from "../words.ts";
import {
  ADD_REASONS,
  CHANNEL_NAMES,
  isPostal,
  nameOf,
  REMOVAL_REASONS,
  type Channel,
} from "./suppression-words.ts";
import { SuppressionFiles } from "./SuppressionFiles.tsx";

/** An entry as the API answers it: the blind index of the address, never the address. */
export interface Entry {
  readonly channel: Channel;
  readonly addressIndex: string;
  readonly reason: string;
  readonly source: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

const PARTS = {
  line1: "Address line 1",
  line2: "Address line 2 (optional)",
  city: "Town or city",
  region: "State or region (optional)",
  postalCode: "ZIP or postal code",
  country: "Country (two letters, e.g. US)",
} as const;
type Part = keyof typeof PARTS;
const OPTIONAL: readonly Part[] = ["line2", "region"];
const EMPTY_PARTS: Record<Part, string> = {
  line1: "",
  line2: "",
  city: "",
  region: "",
  postalCode: "",
  country: "",
};

/** What the last action found or did, shown under the address until it changes. */
type Outcome =
  | { kind: "listed"; entry: Entry }
  | { kind: "not-listed" }
  | { kind: "added"; entry: Entry; already: boolean }
  | { kind: "removed" };

/**
 * The Do Not Send list (PS-05): check one address, add it with a reason, and (administrators)
 * take it off with a reason, import a file and export the list. Addresses travel in request
 * bodies only, never in the address bar; the list keeps blind indexes, so nothing here shows
 * an address the member did not type.
 */
export function Suppression({ me }: PageProps) {
  const admin = me.role === "admin";
  const [channel, setChannel] = useState<Channel>("email");
  const [text, setText] = useState("");
  const [parts, setParts] = useState(EMPTY_PARTS);
  const [addReason, setAddReason] = useState("");
  const [removeReason, setRemoveReason] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);

  const changed = () => {
    setOutcome(null);
    setMessage(null);
  };

  /** The address as the API takes it, or null with the fields' problems shown. */
  const address = (extra: FieldErrors = {}): string | Record<Part, string | null> | null => {
    const problems: FieldErrors = { ...extra };
    if (isPostal(channel)) {
      for (const part of Object.keys(PARTS) as Part[]) {
        if (!OPTIONAL.includes(part) && parts[part].trim() === "")
          problems[part] = `Enter the ${partWords(part)}.`;
      }
      Object.assign(problems, cardGuard(parts));
    } else {
      if (text.trim() === "")
        problems.text = `Enter the ${channel === "email" ? "email address" : "phone number"}.`;
      Object.assign(problems, cardGuard({ text }));
    }
    setErrors(problems);
    if (Object.keys(problems).length > 0) return null;
    if (!isPostal(channel)) return text.trim();
    const trimmed = Object.fromEntries(
      Object.entries(parts).map(([k, v]) => [
        k,
        OPTIONAL.includes(k as Part) && v.trim() === "" ? null : v.trim(),
      ]),
    );
    return trimmed as Record<Part, string | null>;
  };

  const send = async (work: () => Promise<Outcome>) => {
    setBusy(true);
    setMessage(null);
    try {
      setOutcome(await work());
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setOutcome(null);
      if (error.problem.code === "PLEDGE_NOT_FOUND") setOutcome({ kind: "not-listed" });
      else setMessage(staffMessage(error.problem));
    }
    setBusy(false);
  };

  const check = (event: FormEvent) => {
    event.preventDefault();
    const a = address();
    if (a === null) return;
    void send(async () => {
      const { data } = await api<{ suppressed: boolean; entry: Entry | null }>(
        "POST",
        "/v1/suppression/check",
        {
          body: { channel, address: a },
        },
      );
      return data.entry === null ? { kind: "not-listed" } : { kind: "listed", entry: data.entry };
    });
  };

  const add = (event: FormEvent) => {
    event.preventDefault();
    const a = address(addReason === "" ? { addReason: "Choose why the address is added." } : {});
    if (a === null) return;
    void send(async () => {
      const { data } = await api<{ added: boolean; entry: Entry }>("POST", "/v1/suppression", {
        body: { channel, address: a, reason: addReason, source: "staff" },
      });
      return { kind: "added", entry: data.entry, already: !data.added };
    });
  };

  const remove = (event: FormEvent) => {
    event.preventDefault();
    const a = address(removeReason === "" ? { removeReason: "Choose why the address is taken off." } : {});
    if (a === null) return;
    void send(async () => {
      await api("POST", "/v1/suppression/remove", { body: { channel, address: a, reason: removeReason } });
      return { kind: "removed" };
    });
  };

  return (
    <>
      <h1>Do Not Send</h1>
      <p className="lead">
        Addresses on this list never get marketing on their channel, whoever they belong to. Pledge keeps only
        a fingerprint of each address, so you can check an address but never read the list back.
      </p>
      <section aria-labelledby="address-heading" className="dns-address">
        <h2 id="address-heading">An address</h2>
        <form onSubmit={check} noValidate>
          <Select
            label="Channel"
            name="channel"
            options={CHANNEL_NAMES}
            value={channel}
            onChange={(e) => {
              setChannel(e.target.value as Channel);
              setErrors({});
              changed();
            }}
          />
          {isPostal(channel) ? (
            <fieldset>
              <legend>Postal address</legend>
              {(Object.keys(PARTS) as Part[]).map((part) => (
                <Field
                  key={part}
                  label={PARTS[part]}
                  name={part}
                  autoComplete="off"
                  value={parts[part]}
                  error={errors[part]}
                  onChange={(e) => {
                    setParts({ ...parts, [part]: e.target.value });
                    changed();
                  }}
                />
              ))}
            </fieldset>
          ) : (
            <Field
              label={channel === "email" ? "Email address" : "Phone number"}
              name="text"
              type={channel === "email" ? "email" : "tel"}
              autoComplete="off"
              hint={channel === "email" ? undefined : "With the country code, e.g. +1 555 0100."}
              value={text}
              error={errors.text}
              onChange={(e) => {
                setText(e.target.value);
                changed();
              }}
            />
          )}
          <button type="submit" disabled={busy}>
            Check
          </button>
        </form>
        <div aria-live="polite">
          {outcome ? <OutcomeView outcome={outcome} /> : null}
          {message ? <Alert>{message}</Alert> : null}
        </div>
        <div className="dns-actions">
          <form onSubmit={add} noValidate>
            <h3>Add it to the list</h3>
            <Select
              label="Why it is added"
              name="addReason"
              none="Choose a reason…"
              options={ADD_REASONS}
              value={addReason}
              error={errors.addReason}
              onChange={(e) => setAddReason(e.target.value)}
            />
            <button type="submit" disabled={busy}>
              Add to the list
            </button>
          </form>
          {admin ? (
            <form onSubmit={remove} noValidate>
              <h3>Take it off the list</h3>
              <Select
                label="Why it is taken off"
                name="removeReason"
                none="Choose a reason…"
                options={REMOVAL_REASONS}
                value={removeReason}
                error={errors.removeReason}
                onChange={(e) => setRemoveReason(e.target.value)}
              />
              <button type="submit" className="secondary" disabled={busy}>
                Remove from the list
              </button>
            </form>
          ) : null}
        </div>
      </section>
      {admin ? (
        <SuppressionFiles />
      ) : (
        <p>Taking addresses off the list, importing and exporting it are for administrators.</p>
      )}
    </>
  );
}

function partWords(part: Part): string {
  return PARTS[part].replace(/ \(.*\)$/, "").toLowerCase();
}

function OutcomeView({ outcome }: { outcome: Outcome }) {
  switch (outcome.kind) {
    case "listed":
      return (
        <Alert kind="success">
          <strong>Listed:</strong> this address is on the Do Not Send list for{" "}
          {CHANNEL_NAMES[outcome.entry.channel]} since {day(outcome.entry.createdAt)} (
          {nameOf(ADD_REASONS, outcome.entry.reason)}).
        </Alert>
      );
    case "not-listed":
      return (
        <Alert kind="success">
          <strong>Not listed:</strong> this address is not on the Do Not Send list for this channel.
        </Alert>
      );
    case "added":
      return (
        <Alert kind="success">
          {outcome.already
            ? `Already listed since ${day(outcome.entry.createdAt)}: the first entry is kept.`
            : `Added: this address gets no marketing by ${CHANNEL_NAMES[outcome.entry.channel]} from now on.`}
        </Alert>
      );
    case "removed":
      return <Alert kind="success">Removed: the address is off the list, and the reason is recorded.</Alert>;
    default: {
      const never: never = outcome;
      return never;
    }
  }
}
