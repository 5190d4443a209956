import { useId, useState, type FormEvent, type ReactNode } from "react";
import { api, ApiError, type Problem } from "../../../shared/api.ts";
import { Alert, cardGuard, Field, type FieldErrors } from "../../../shared/forms.tsx";
import type { PolicyInfo } from "../../types.ts";
import { staffMessage } from "../../words.ts";
import { CHANNELS, MESSAGE_CLASSES, words, type CampaignView } from "./types.ts";

interface Draft {
  name: string;
  purpose: string;
  messageClass: string;
  channel: string;
  topic: string;
  subjectLine: string;
  text: string;
  recipient: string;
}

const EMPTY: Draft = {
  name: "",
  purpose: "",
  messageClass: "",
  channel: "",
  topic: "",
  subjectLine: "",
  text: "",
  recipient: "",
};

/** Channels whose messages go out as a list to a processor (a mail house, a call centre). */
const LIST_CHANNELS = new Set(["postal", "catalogue", "phone"]);

/**
 * The checks POST /v1/campaigns makes that the console can make before sending: the body's schema
 * (required fields, lengths), a subject line for email, a channel the purpose uses, a topic the
 * purpose governs on that channel, and no card number anywhere. The pack's message classes are
 * the API's to check; its answer is shown next to the field it names.
 */
export function checkDraft(draft: Draft, policy: PolicyInfo): FieldErrors {
  const problems: FieldErrors = {};
  const purpose = policy.purposes.find((p) => p.id === draft.purpose);
  const topic = policy.topics.find((t) => t.id === draft.topic);
  if (draft.name.trim() === "") problems.name = "Give the campaign a name staff will recognise.";
  else if (draft.name.length > 200) problems.name = "Keep the name to 200 characters or fewer.";
  if (purpose === undefined) problems.purpose = "Choose the purpose this campaign is sent for.";
  if (draft.messageClass === "") problems.messageClass = "Choose the kind of message.";
  if (draft.channel === "") problems.channel = "Choose how the message is sent.";
  else if (purpose !== undefined && !purpose.channels.includes(draft.channel))
    problems.channel = `This purpose does not send by ${draft.channel}: choose ${purpose.channels.join(", ") || "another purpose"}.`;
  if (topic !== undefined && purpose !== undefined && topic.purpose !== purpose.id)
    problems.topic = "This topic belongs to another purpose.";
  else if (topic !== undefined && draft.channel !== "" && !topic.channels.includes(draft.channel))
    problems.topic = `This topic is not sent by ${draft.channel}.`;
  if (draft.channel === "email" && draft.subjectLine.trim() === "")
    problems.subjectLine = "An email needs a subject line.";
  else if (draft.subjectLine.length > 998)
    problems.subjectLine = "Keep the subject line to 998 characters or fewer.";
  if (draft.text.trim() === "") problems.text = "Write the message.";
  else if (draft.text.length > 200_000) problems.text = "Keep the message to 200,000 characters or fewer.";
  if (draft.recipient.length > 200)
    problems.recipient = "Keep the processor's id to 200 characters or fewer.";
  return {
    ...problems,
    ...cardGuard({ name: draft.name, subjectLine: draft.subjectLine, text: draft.text }),
  };
}

/** The field an API problem is about, where it names one. */
function fieldOf(problem: Problem): FieldErrors {
  const fields: FieldErrors = {};
  for (const e of problem.errors ?? []) {
    const key = e.path.replace(/^\/?body\/?/, "").split("/")[0] ?? "";
    if (key in EMPTY) fields[key] = `This ${words(key).toLowerCase()} ${e.message}.`;
  }
  const said = staffMessage(problem);
  if (problem.code === "PLEDGE_UNKNOWN_TOPIC") fields.topic = said;
  if (problem.code === "PLEDGE_UNKNOWN_RECIPIENT") fields.recipient = said;
  if (problem.code === "PLEDGE_CAMPAIGN_INVALID") {
    if (/class/i.test(problem.detail)) fields.messageClass = said;
    else if (/subjectLine/.test(problem.detail)) fields.subjectLine = said;
    else if (/topic/i.test(problem.detail)) fields.topic = said;
    else if (/channel/i.test(problem.detail)) fields.channel = said;
  }
  return fields;
}

/** The create form: a draft campaign, made by POST /v1/campaigns; nothing is sent yet. */
export function CampaignForm(props: {
  readonly purposes: readonly string[];
  readonly policy: PolicyInfo;
  readonly onCreated: (view: CampaignView) => void;
}) {
  const { policy, purposes } = props;
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // A purpose or channel changed under a choice that depended on it clears that choice.
  const set = (key: keyof Draft) => (value: string) =>
    setDraft((d) => {
      const next = { ...d, [key]: value };
      const channels = policy.purposes.find((p) => p.id === next.purpose)?.channels ?? [];
      if (key === "purpose" && !channels.includes(next.channel)) next.channel = "";
      const topic = policy.topics.find((t) => t.id === next.topic);
      if (
        topic &&
        (topic.purpose !== next.purpose || (next.channel !== "" && !topic.channels.includes(next.channel)))
      )
        next.topic = "";
      return next;
    });

  const purpose = policy.purposes.find((p) => p.id === draft.purpose);
  const sendable = policy.purposes.filter((p) => purposes.includes(p.id) && p.channels.length > 0);
  const topics = policy.topics.filter(
    (t) => t.purpose === draft.purpose && (draft.channel === "" || t.channels.includes(draft.channel)),
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = checkDraft(draft, policy);
    setErrors(problems);
    setMessage(Object.keys(problems).length > 0 ? "Some answers need another look." : null);
    if (Object.keys(problems).length > 0) return;
    const body: Record<string, string> = {
      name: draft.name.trim(),
      purpose: draft.purpose,
      messageClass: draft.messageClass,
      channel: draft.channel,
      text: draft.text,
    };
    if (draft.topic !== "") body.topic = draft.topic;
    if (draft.subjectLine.trim() !== "") body.subjectLine = draft.subjectLine.trim();
    if (draft.recipient.trim() !== "" && LIST_CHANNELS.has(draft.channel))
      body.recipient = draft.recipient.trim();
    setBusy(true);
    try {
      const { data } = await api<CampaignView>("POST", "/v1/campaigns", { body });
      setDraft(EMPTY);
      props.onCreated(data);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setErrors(fieldOf(error.problem));
      setMessage(staffMessage(error.problem));
    }
    setBusy(false);
  };

  return (
    <form
      onSubmit={(e) => void submit(e)}
      noValidate
      className="campaign-form"
      aria-labelledby="new-campaign"
    >
      <h2 id="new-campaign">New campaign</h2>
      <p className="hint">A new campaign is a draft: preview who it would reach before you send it.</p>
      {message ? <Alert>{message}</Alert> : null}
      <Field
        label="Name"
        name="name"
        autoComplete="off"
        value={draft.name}
        error={errors.name}
        onChange={(e) => set("name")(e.target.value)}
      />
      <Select label="Purpose" value={draft.purpose} error={errors.purpose} onChange={set("purpose")}>
        <option value="">Choose a purpose…</option>
        {sendable.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name ?? p.id}
          </option>
        ))}
      </Select>
      <Select
        label="Kind of message"
        value={draft.messageClass}
        error={errors.messageClass}
        onChange={set("messageClass")}
      >
        <option value="">Choose a kind…</option>
        {MESSAGE_CLASSES.map((c) => (
          <option key={c} value={c}>
            {words(c)}
          </option>
        ))}
      </Select>
      <Select label="Channel" value={draft.channel} error={errors.channel} onChange={set("channel")}>
        <option value="">Choose a channel…</option>
        {(purpose?.channels ?? CHANNELS).map((c) => (
          <option key={c} value={c}>
            {words(c)}
          </option>
        ))}
      </Select>
      <Select label="Topic (optional)" value={draft.topic} error={errors.topic} onChange={set("topic")}>
        <option value="">No topic</option>
        {topics.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </Select>
      {draft.channel === "email" || draft.channel === "" ? (
        <Field
          label="Subject line"
          name="subjectLine"
          autoComplete="off"
          value={draft.subjectLine}
          error={errors.subjectLine}
          hint="Needed for email."
          onChange={(e) => set("subjectLine")(e.target.value)}
        />
      ) : null}
      {LIST_CHANNELS.has(draft.channel) ? (
        <Field
          label="Processor (optional)"
          name="recipient"
          autoComplete="off"
          value={draft.recipient}
          error={errors.recipient}
          hint="The policy's id of the mail house or call centre that receives the list."
          onChange={(e) => set("recipient")(e.target.value)}
        />
      ) : null}
      <TextArea label="Message text" value={draft.text} error={errors.text} onChange={set("text")} />
      <button type="submit" disabled={busy}>
        Create draft
      </button>
    </form>
  );
}

function Select(props: {
  label: string;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        value={props.value}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${id}-error` : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      >
        {props.children}
      </select>
      {props.error ? (
        <p id={`${id}-error`} className="field-error">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

function TextArea(props: {
  label: string;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <textarea
        id={id}
        rows={6}
        value={props.value}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${id}-error` : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.error ? (
        <p id={`${id}-error`} className="field-error">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}
