import type { Channel, MessageClass } from "../policy/schema.ts";
import type { CompiledPolicy, CompiledPurpose, CompiledRecipient, CompiledTopic } from "./compiled.ts";
import { deny, NO_FIELDS, reason, RULE } from "./reasons.ts";
import type { Decision, Facts, Reason, Use } from "./types.ts";

/** The facts that do not depend on the subject: what rules 1–16 may look at. */
export type UseFacts = Omit<Facts, "subject">;

/** A use that passed rules 1–16: what the subject rules need, and the decision if they all pass. */
export interface UseVerdict {
  readonly purpose: CompiledPurpose;
  readonly recipient: CompiledRecipient | undefined;
  readonly topic: CompiledTopic | undefined;
  /** A message (a send, or an export on a channel) of a class the pack does not list as essential. */
  readonly marketing: boolean;
  /** A message of an essential class: it reaches opted-out and suppressed people. */
  readonly essential: boolean;
  /** The clauses behind an allow. */
  readonly allowReasons: readonly Reason[];
  /** The partial decision when rule 16 removed fields; null = every field is allowed. */
  readonly partial: Decision | null;
}

/**
 * Rules 1–16 of decide.ts: everything that depends on the policy, the use and the acting
 * staff member or recipient, but not on the subject. Returns the refusal of the first rule that
 * refuses, or the verdict the subject rules start from. The SQL compiler runs this once per bulk
 * use; decide() runs it per call.
 */
export function checkUse(policy: CompiledPolicy, facts: UseFacts, use: Use): Decision | UseVerdict {
  if (policy.regions !== null && !policy.regions.has(facts.deploymentRegion)) {
    return deny(
      policy,
      reason(
        policy.residencyClause,
        RULE.residency,
        "region_not_allowed",
        `this deployment's region ${facts.deploymentRegion} is not among the pack's regions`,
      ),
    );
  }
  const purpose = policy.purposes.get(use.purpose);
  if (purpose === undefined) {
    const refused = deny(
      policy,
      reason(
        policy.purposeListClause,
        RULE.purposeKnown,
        "purpose_unknown",
        `purpose ${use.purpose} is not one the policy lists`,
      ),
    );
    // A disclosure to a recipient the pack never names is refused by the pack's sharing clause
    // too (ZZ-06: "never shares"), whatever purpose it was asked under: the refusal names both.
    if (use.recipient === undefined || policy.recipients.has(use.recipient)) return refused;
    const unlisted = reason(
      policy.thirdPartiesClause,
      RULE.recipientKnown,
      "recipient_unknown",
      `recipient ${use.recipient} is not one the policy lists`,
    );
    return { ...refused, reasons: [...refused.reasons, unlisted] };
  }
  const actor = use.actor;
  if (
    (actor.kind === "staff" || actor.kind === "system") &&
    policy.attestationRequired &&
    !facts.actorAttested
  ) {
    return deny(
      policy,
      reason(
        policy.staffClause,
        RULE.attestation,
        "attestation_missing",
        "no confidentiality attestation is on file for this staff member",
      ),
    );
  }
  // An own-use-only purpose is left to rule 5, which refuses every staff use of it, naming its clause.
  if (actor.kind === "staff" && !purpose.ownUseOnly) {
    if (actor.role === undefined || policy.roles.get(actor.role)?.has(purpose.id) !== true) {
      return deny(
        policy,
        reason(
          policy.staffClause,
          RULE.staffRole,
          "role_not_allowed",
          `staff role ${actor.role ?? "(none)"} may not use purpose ${purpose.id}`,
        ),
      );
    }
  }
  if (purpose.aggregateOnly && use.aggregate !== true) {
    return deny(
      policy,
      reason(
        purpose.clause,
        RULE.aggregateOnly,
        "aggregate_only",
        `purpose ${purpose.id} is used only in aggregate`,
      ),
    );
  }
  if (purpose.ownUseOnly) {
    const refused = checkOwnUse(purpose, use);
    if (refused !== null) return deny(policy, refused);
  }
  if (use.action === "open_content") {
    const refused = checkContent(policy, purpose, use);
    if (refused !== null) return deny(policy, refused);
  }
  let recipient: CompiledRecipient | undefined;
  if (use.recipient === undefined && (use.action === "export" || use.action === "disclose")) {
    return deny(
      policy,
      reason(
        policy.thirdPartiesClause,
        RULE.recipientKnown,
        "recipient_missing",
        `an ${use.action} names the recipient it goes to`,
      ),
    );
  }
  if (use.recipient !== undefined) {
    recipient = policy.recipients.get(use.recipient);
    const refused = checkRecipient(policy, purpose, recipient, facts, use);
    if (refused !== null) return deny(policy, refused);
  }
  if (purpose.permission === "sale" && policy.saleAllowed === "never") {
    return deny(
      policy,
      reason(policy.saleClause, RULE.saleNever, "sale_never", `purpose ${purpose.id} is a sale`),
    );
  }
  let topic: CompiledTopic | undefined;
  if (use.topic !== undefined) {
    topic = policy.topics.get(use.topic);
    const refused = checkTopic(policy, purpose, topic, use);
    if (refused !== null) return deny(policy, refused);
  }
  let marketing = false;
  let essential = false;
  if (use.action === "send" || (use.action === "export" && use.channel !== undefined)) {
    const cls: MessageClass = use.messageClass ?? "marketing";
    const refused = checkMessage(purpose, use.channel, cls);
    if (refused !== null) return deny(policy, refused);
    essential = cls !== "marketing" && policy.essential.has(cls);
    marketing = !essential;
  }
  const allowReasons = allowedBy(purpose, recipient, topic);
  const partial = checkFields(policy, purpose, recipient, allowReasons, use);
  if (partial?.outcome === "deny") return partial;
  return { purpose, recipient, topic, marketing, essential, allowReasons, partial };
}

/** The decision a use gets when no subject rule refuses it: allow, or partial (rule 16). */
export function allowed(policy: CompiledPolicy, verdict: UseVerdict, use: Use): Decision {
  return (
    verdict.partial ?? {
      outcome: "allow",
      fields: use.fields,
      removed: NO_FIELDS,
      reasons: verdict.allowReasons,
      policy: policy.ref,
    }
  );
}

/**
 * Rule 5, own use: the customer acting on their own record is the only one who uses the purpose
 * (the caller passes the customer's own id as the subject: a session reaches only its own record).
 * Staff, keys, agents and Pledge's jobs are refused, and so is anything that leaves: an export, a
 * disclosure, an aggregate, a message.
 */
function checkOwnUse(purpose: CompiledPurpose, use: Use): Reason | null {
  const why =
    use.actor.kind !== "customer"
      ? `purpose ${purpose.id} is used only by the customer, for themself, not by ${use.actor.kind}`
      : use.recipient !== undefined || use.action === "export" || use.action === "disclose"
        ? `purpose ${purpose.id} is used only for the customer: nothing leaves for a recipient`
        : use.aggregate === true
          ? `purpose ${purpose.id} is used only for the customer, never in an aggregate`
          : use.action === "read" || use.action === "collect"
            ? null
            : `purpose ${purpose.id} is only read and collected by the customer, not ${use.action}`;
  return why === null ? null : reason(purpose.clause, RULE.aggregateOnly, "own_use_only", why);
}

function checkContent(policy: CompiledPolicy, purpose: CompiledPurpose, use: Use): Reason | null {
  const clause = policy.communicationsClause ?? purpose.clause;
  if (policy.contentGrounds === null) {
    return reason(
      clause,
      RULE.contentGround,
      "content_not_opened",
      "the policy names no ground for opening content",
    );
  }
  if (use.ground === undefined || !policy.contentGrounds.has(use.ground)) {
    return reason(
      clause,
      RULE.contentGround,
      "content_ground_missing",
      `ground ${use.ground ?? "(none)"} is not one on which content is opened`,
    );
  }
  if (policy.caseRequired && (use.caseId === undefined || use.caseId === "")) {
    return reason(clause, RULE.contentGround, "case_required", "content is opened only for a named case");
  }
  return null;
}

function checkRecipient(
  policy: CompiledPolicy,
  purpose: CompiledPurpose,
  recipient: CompiledRecipient | undefined,
  facts: UseFacts,
  use: Use,
): Reason | null {
  if (recipient === undefined) {
    return reason(
      policy.thirdPartiesClause,
      RULE.recipientKnown,
      "recipient_unknown",
      `recipient ${use.recipient ?? ""} is not one the policy lists`,
    );
  }
  if (recipient.thirdParty && !policy.thirdPartiesAllowed) {
    return reason(
      policy.thirdPartiesClause,
      RULE.thirdParties,
      "third_parties_refused",
      `recipient ${recipient.id} is a third party`,
    );
  }
  if (!recipient.purposes.has(purpose.id)) {
    return reason(
      recipient.clause,
      RULE.recipientPurpose,
      "recipient_purpose",
      `recipient ${recipient.id} does not receive data for purpose ${purpose.id}`,
    );
  }
  if (recipient.singleSubject && (use.action === "export" || use.aggregate === true)) {
    return reason(
      recipient.clause,
      RULE.singleSubject,
      "single_subject",
      `recipient ${recipient.id} receives one customer's data at a time, never a list`,
    );
  }
  if (recipient.needsContract && facts.recipientContractOnFile !== true) {
    return reason(
      recipient.clause,
      RULE.recipientContract,
      "contract_missing",
      `no contract with recipient ${recipient.id} is on file`,
    );
  }
  if (recipient.needsLegalGround && (use.ground === undefined || !policy.disclosureGrounds.has(use.ground))) {
    return reason(
      policy.disclosureClause,
      RULE.legalGround,
      "legal_ground_missing",
      `ground ${use.ground ?? "(none)"} is not one on which data goes to ${recipient.id}`,
    );
  }
  return null;
}

function checkTopic(
  policy: CompiledPolicy,
  purpose: CompiledPurpose,
  topic: CompiledTopic | undefined,
  use: Use,
): Reason | null {
  if (topic === undefined) {
    return reason(
      policy.messagesClause,
      RULE.topic,
      "topic_unknown",
      `topic ${use.topic ?? ""} is not one the policy lists`,
    );
  }
  if (topic.purpose !== purpose.id) {
    return reason(
      topic.clause,
      RULE.topic,
      "topic_purpose",
      `topic ${topic.id} is governed by purpose ${topic.purpose}, not ${purpose.id}`,
    );
  }
  if (use.channel !== undefined && !topic.channels.has(use.channel)) {
    return reason(
      topic.clause,
      RULE.topic,
      "topic_channel",
      `topic ${topic.id} is not sent by ${use.channel}`,
    );
  }
  return null;
}

function checkMessage(
  purpose: CompiledPurpose,
  channel: Channel | undefined,
  cls: MessageClass,
): Reason | null {
  if (channel === undefined) {
    return reason(purpose.clause, RULE.messageForm, "channel_missing", "a message names its channel");
  }
  if (purpose.channels !== null && !purpose.channels.has(channel)) {
    return reason(
      purpose.clause,
      RULE.messageForm,
      "channel_not_allowed",
      `purpose ${purpose.id} does not send by ${channel}`,
    );
  }
  if (!purpose.messageClasses.has(cls)) {
    return reason(
      purpose.clause,
      RULE.messageForm,
      "message_class_not_allowed",
      `purpose ${purpose.id} does not send ${cls} messages`,
    );
  }
  return null;
}

/** Actions that may touch content: storing it, opening one message on a ground, disclosing it. */
const CONTENT_ACTIONS: ReadonlySet<string> = new Set(["collect", "open_content", "disclose"]);

/**
 * Rule 16. Every field must belong to the purpose's categories and, with a recipient, to the
 * recipient's. Outside fields refuse the use, or with `projection` are removed (partial); a
 * projection that removes every field asked for refuses. Null when every field is allowed.
 */
function checkFields(
  policy: CompiledPolicy,
  purpose: CompiledPurpose,
  recipient: CompiledRecipient | undefined,
  allowReasons: readonly Reason[],
  use: Use,
): Decision | null {
  const fields = use.fields;
  const content = CONTENT_ACTIONS.has(use.action) ? null : policy.contentFields;
  let outside = 0;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as string;
    if (
      !purpose.fields.has(f) ||
      (recipient !== undefined && !recipient.fields.has(f)) ||
      (content !== null && content.has(f))
    )
      outside++;
  }
  if (outside === 0) return null;
  // Fields outside the categories are the first reason; content inside them, by an action that
  // does not reach content, the second.
  const beyond = fields.filter(
    (f) => !purpose.fields.has(f) || (recipient !== undefined && !recipient.fields.has(f)),
  );
  const removed = fields.filter((f) => beyond.includes(f) || (content !== null && content.has(f)));
  const refusing = use.projection !== true || removed.length === fields.length;
  if (refusing && beyond.length === 0) {
    return deny(
      policy,
      reason(
        policy.communicationsClause ?? purpose.clause,
        RULE.contentGround,
        "content_not_by_this_action",
        `the content of communications is not reached by ${use.action}: it is opened one message at a time, on a ground`,
      ),
    );
  }
  const byRecipient = recipient !== undefined && beyond.every((f) => purpose.fields.has(f));
  const clause = byRecipient ? (recipient?.clause ?? purpose.clause) : purpose.clause;
  const whose = byRecipient ? `recipient ${recipient?.id ?? ""}` : `purpose ${purpose.id}`;
  if (refusing) {
    return deny(
      policy,
      reason(
        clause,
        RULE.fields,
        "fields_not_allowed",
        `fields ${beyond.join(", ")} are outside the categories of ${whose}`,
      ),
    );
  }
  const kept = fields.filter((f) => !removed.includes(f));
  const why = reason(
    clause,
    RULE.fields,
    "fields_removed",
    `fields ${removed.join(", ")} removed: outside ${whose}`,
  );
  return { outcome: "partial", fields: kept, removed, reasons: [why, ...allowReasons], policy: policy.ref };
}

/** The clauses behind an allow: the purpose's, and the recipient's and the topic's when present. */
function allowedBy(
  purpose: CompiledPurpose,
  recipient: CompiledRecipient | undefined,
  topic: CompiledTopic | undefined,
): readonly Reason[] {
  if (recipient === undefined) return topic?.allowReasons ?? purpose.allowReasons;
  const withRecipient = recipient.allowReasons.get(purpose.id) ?? purpose.allowReasons;
  const topicReason = topic?.allowReasons[topic.allowReasons.length - 1];
  return topicReason === undefined ? withRecipient : [...withRecipient, topicReason];
}
