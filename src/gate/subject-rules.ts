import type { Channel } from "../policy/schema.ts";
import type { CompiledPolicy } from "./compiled.ts";
import { deny, reason, RULE } from "./reasons.ts";
import type { ConsentState, Decision, SubjectFacts, Use } from "./types.ts";
import type { UseVerdict } from "./use-rules.ts";

/**
 * Rules 18–24 of decide.ts: the ones that depend on the subject. Returns the refusal of the first
 * rule that refuses, or null; the commonest refusals are prebuilt by compilePolicy. src/gate/sql.ts
 * states the same rules as SQL over the facts tables; test/gate/sql-equivalence.test.ts proves
 * the two agree. Change both together.
 */
export function checkSubject(
  policy: CompiledPolicy,
  verdict: UseVerdict,
  subject: SubjectFacts,
  use: Use,
): Decision | null {
  const minimum = policy.minimumAge;
  if (minimum !== null) {
    if (subject.age === null) {
      if (use.action === "collect") return minimum.unknownRefused;
    } else if (subject.age < minimum.years) {
      return minimum.underRefused;
    }
  }
  const { purpose, recipient, topic } = verdict;
  const channel = use.channel;
  if (verdict.marketing) {
    if (!policy.formerContactable && subject.status === "former") return policy.formerRefused;
    if (channel !== undefined && subject.suppressed.includes(channel))
      return policy.suppressedRefused[channel];
    const stop = channel === undefined ? undefined : policy.channelOptOuts.get(channel);
    if (stop !== undefined && subject.optOuts.includes(stop.scope)) return stop.refused;
  }
  const consents = subject.consents;
  if (!verdict.essential) {
    const topicState =
      topic === undefined ? undefined : stateOf(consents, topic.id, topic.channelKeys, channel);
    if (topic !== undefined && (topicState === "withdrawn" || topicState === "objected")) {
      return deny(
        policy,
        reason(topic.clause, RULE.topicWithdrawn, "topic_withdrawn", `the person stopped topic ${topic.id}`),
      );
    }
    if (purpose.basis === "consent" || purpose.basis === "opt_out") {
      const state = stateOf(consents, purpose.id, purpose.channelKeys, channel);
      if (state === "withdrawn" || state === "objected") {
        const code = purpose.basis === "consent" ? "consent_withdrawn" : "opted_out";
        const did = state === "withdrawn" ? "withdrew from" : "objected to";
        return deny(
          policy,
          reason(purpose.clause, RULE.legalBasis, code, `the person ${did} purpose ${purpose.id}`),
        );
      }
      if (purpose.basis === "consent" && state !== "granted" && topicState !== "granted") {
        return purpose.consentMissing;
      }
    }
  }
  if (recipient !== undefined) {
    if (recipient.needsConsent && stateOf(consents, purpose.id, purpose.channelKeys, channel) !== "granted") {
      const detail = `recipient ${recipient.id} receives data only with consent to purpose ${purpose.id}`;
      return deny(
        policy,
        reason(recipient.clause, RULE.recipientConsent, "recipient_consent_missing", detail),
      );
    }
    if (recipient.optOutScope !== null && subject.optOuts.includes(recipient.optOutScope)) {
      const detail = `the person stopped ${recipient.optOutScope}`;
      return deny(policy, reason(recipient.clause, RULE.recipientConsent, "sharing_opted_out", detail));
    }
  }
  if (purpose.permission !== null && !subject.permissions.includes(purpose.permission)) {
    const clause = purpose.permission === "sale" ? policy.saleClause : purpose.clause;
    const detail = `purpose ${purpose.id} needs the ${purpose.permission} permission`;
    return deny(policy, reason(clause, RULE.permission, "permission_missing", detail));
  }
  if (recipient?.kind === "affiliate" && !subject.permissions.includes("affiliate_identity")) {
    const detail = `recipient ${recipient.id} is an affiliate: it needs the affiliate_identity permission`;
    return deny(policy, reason(recipient.clause, RULE.permission, "permission_missing", detail));
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
