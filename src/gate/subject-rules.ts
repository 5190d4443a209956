import type { Channel } from "../policy/schema.ts";
import type { CompiledPolicy } from "./compiled.ts";
import { reason, RULE } from "./reasons.ts";
import type { ConsentState, Reason, SubjectFacts, Use } from "./types.ts";
import type { UseVerdict } from "./use-rules.ts";

/**
 * Rules 18–24 of decide.ts: the ones that depend on the subject. Returns the reason of the first
 * rule that refuses, or null. src/gate/sql.ts states the same rules as SQL over the facts
 * tables; test/gate/sql-equivalence.test.ts proves the two agree. Change both together.
 */
export function checkSubject(
  policy: CompiledPolicy,
  verdict: UseVerdict,
  subject: SubjectFacts,
  use: Use,
): Reason | null {
  const minimum = policy.minimumAge;
  if (minimum !== null) {
    if (subject.age === null) {
      if (use.action === "collect") {
        return reason(
          minimum.clause,
          RULE.minimumAge,
          "age_unknown",
          `data is collected only from people known to be at least ${minimum.years}`,
        );
      }
    } else if (subject.age < minimum.years) {
      return reason(
        minimum.clause,
        RULE.minimumAge,
        "under_minimum_age",
        `the person is under ${minimum.years}`,
      );
    }
  }
  const { purpose, recipient, topic } = verdict;
  const channel = use.channel;
  if (verdict.marketing) {
    if (!policy.formerContactable && subject.status === "former") {
      return reason(
        policy.messagesClause,
        RULE.formerCustomers,
        "former_customer",
        "former customers get no marketing under this policy",
      );
    }
    if (channel !== undefined && subject.suppressed.includes(channel)) {
      return reason(
        policy.suppressionClause,
        RULE.suppression,
        "suppressed",
        `the address is on the Do Not Send list for ${channel}`,
      );
    }
  }
  const consents = subject.consents;
  if (!verdict.essential) {
    const topicState =
      topic === undefined ? undefined : stateOf(consents, topic.id, topic.channelKeys, channel);
    if (topicState === "withdrawn" || topicState === "objected") {
      return reason(
        topic?.clause ?? purpose.clause,
        RULE.topicWithdrawn,
        "topic_withdrawn",
        `the person stopped topic ${topic?.id ?? ""}`,
      );
    }
    if (purpose.basis === "consent" || purpose.basis === "opt_out") {
      const state = stateOf(consents, purpose.id, purpose.channelKeys, channel);
      if (state === "withdrawn" || state === "objected") {
        return reason(
          purpose.clause,
          RULE.legalBasis,
          purpose.basis === "consent" ? "consent_withdrawn" : "opted_out",
          `the person ${state === "withdrawn" ? "withdrew from" : "objected to"} purpose ${purpose.id}`,
        );
      }
      if (purpose.basis === "consent" && state !== "granted" && topicState !== "granted") {
        return reason(
          purpose.clause,
          RULE.legalBasis,
          "consent_missing",
          `no consent to purpose ${purpose.id} is on file`,
        );
      }
    }
  }
  if (recipient !== undefined) {
    if (recipient.needsConsent && stateOf(consents, purpose.id, purpose.channelKeys, channel) !== "granted") {
      return reason(
        recipient.clause,
        RULE.recipientConsent,
        "recipient_consent_missing",
        `recipient ${recipient.id} receives data only with consent to purpose ${purpose.id}`,
      );
    }
    if (recipient.optOutScope !== null && subject.optOuts.includes(recipient.optOutScope)) {
      return reason(
        recipient.clause,
        RULE.recipientConsent,
        "sharing_opted_out",
        `the person stopped ${recipient.optOutScope}`,
      );
    }
  }
  if (purpose.permission !== null && !subject.permissions.includes(purpose.permission)) {
    return reason(
      purpose.permission === "sale" ? policy.saleClause : purpose.clause,
      RULE.permission,
      "permission_missing",
      `purpose ${purpose.id} needs the ${purpose.permission} permission`,
    );
  }
  if (recipient?.kind === "affiliate" && !subject.permissions.includes("affiliate_identity")) {
    return reason(
      recipient.clause,
      RULE.permission,
      "permission_missing",
      `recipient ${recipient.id} is an affiliate: it needs the affiliate_identity permission`,
    );
  }
  return null;
}

/** The consent state for `id` on `channel`: the channel key wins over the plain key. */
export function stateOf(
  consents: Readonly<Record<string, ConsentState>>,
  id: string,
  channelKeys: Readonly<Record<Channel, string>>,
  channel: Channel | undefined,
): ConsentState | undefined {
  if (channel !== undefined) {
    const onChannel = consents[channelKeys[channel]];
    if (onChannel !== undefined) return onChannel;
  }
  return consents[id];
}
