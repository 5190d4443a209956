/**
 * The gate: may this use of personal data go ahead under the policy? Pure (no I/O, no clock, no
 * randomness) and deny by default: a use is allowed only when every rule below lets it through,
 * and the first rule that refuses decides. Rules are checked in this order, so the reason given
 * is the most fundamental one: the deployment, then the purpose, then who acts and who receives,
 * then the form of the use, then the person.
 *
 *  0  policy in force  decideAt only: some version of the policy is in force at `use.at`.
 *  1  residency        the deployment's region is one of the pack's residency regions (ZM-11).
 *  2  purpose          the purpose is one the pack lists (PS-08, ZM-03); the reason names the
 *                      clause every purpose cites, or no clause when there is none.
 *  3  attestation      staff act only with a confidentiality attestation on file, when the pack
 *                      requires one (ZZ-04); so do integrations (system actors acting for a key).
 *                      Pledge's own jobs come attested; customers and agents are not staff.
 *  4  staff role       a staff member's role lists the purpose (an own-use-only purpose, which no
 *                      role lists, is left to rule 5: it refuses staff naming the purpose's clause).
 *  5  form of use      an aggregate-only purpose is used only for aggregates (Z16-06, PS-03); the
 *                      minimum cohort is enforced where aggregates are computed. An own-use-only
 *                      purpose is read and collected only by the customer on their own record,
 *                      for that customer (Z16-08's recommendations): staff, keys, agents and jobs
 *                      are refused, and so is an export, a disclosure, an aggregate or a message.
 *  6  content          opening a communication's content needs one of the pack's content grounds
 *                      and, when the pack says so, a case id (ZZ-11, ZZ-12); no communications
 *                      block = content is never opened. The fields of `content` categories are
 *                      reached only by collect, open_content and disclose (on the recipient's
 *                      terms, rules 7–12): a read, export, send, analysis or charge asking for
 *                      one is refused, or with `projection` has it removed (ZZ-11, ZZ-12).
 *  7  recipient known  an export or a disclosure names its recipient, and a recipient is one the
 *                      pack lists (ZZ-06: nothing leaves for nobody in particular).
 *  8  third parties    with `third_parties.allowed: false`, marketing partners and affiliates are
 *                      refused (ZZ-06). Processors, internal stores, authorities and the
 *                      customer's own organisation are not third parties (policy rule V9).
 *  9  recipient purpose the recipient receives data for this purpose.
 * 10  single subject   a single-subject recipient never receives a list (export) or aggregate (Z16-10).
 * 11  contract         a recipient that requires a contract has one on file.
 * 12  legal ground     an authority, or a recipient that requires a legal ground, is reached only
 *                      on one of the pack's disclosure grounds (Z16-07, ZZ-10, ZM-15).
 * 13  sale never       a purpose that is a sale is refused when the pack never sells.
 * 14  topic            a topic is one the pack lists, governed by the use's purpose, on one of
 *                      its channels.
 * 15  message form     a message (a send, or an export on a channel) names its channel, on one of
 *                      the purpose's channels (when it lists any), of a class the purpose sends
 *                      (no class = marketing; a purpose listing no classes sends nothing).
 *                      Classes the pack lists as essential are essential; every other is marketing.
 * 16  fields           every field is in the purpose's categories and, with a recipient, in the
 *                      recipient's; otherwise deny, or `partial` without them when
 *                      `use.projection` (deny if none is left).
 * 17  subject known    a use names its subject's facts, unless it is an aggregate (then rules
 *                      18–24 do not apply: the audience is chosen per subject, see sql.ts).
 * 18  minimum age      a person known to be under the pack's minimum age is refused for every
 *                      use; on `collect`, an unknown age is refused too (Z16-15).
 * 19  former customers marketing does not reach former customers when the pack says so (PS-07).
 * 20  suppression      marketing never reaches a channel on the Do Not Send list (PS-05), nor a
 *                      channel whose opt-out scope (`messages.channel_opt_outs`) the person
 *                      stopped: "no catalogues" stops the company's own catalogues (PS-09);
 *                      essential messages reach both (PS-06, ZZ-08, ZM-05).
 * 21  topic withdrawn  a withdrawn or objected topic stops non-essential messages on it (ZM-05).
 * 22  legal basis      contract, legal obligation, legitimate interest: allowed. consent: needs a
 *                      grant for the purpose or the topic, and the purpose not withdrawn. opt_out:
 *                      allowed unless the purpose is withdrawn or objected. A `<id>:<channel>`
 *                      state wins over the plain `<id>` one. Essential messages skip 19–22.
 * 23  recipient needs  a recipient that requires consent gets data only with consent to the
 *                      purpose; one that honours an opt-out gets none from a person in that
 *                      opt-out scope (Z16-04, PS-09).
 * 24  permissions      a purpose's required permission (sale, card_reuse, affiliate_identity) is
 *                      on file (ZM-01, ZM-14); an affiliate needs affiliate_identity (Z16-11).
 * 25  allowed          otherwise: allow (or partial, rule 16), naming the purpose's clause and
 *                      the recipient's and topic's.
 */
import type { CompiledPolicy } from "./compiled.ts";
import { deny, reason, RULE } from "./reasons.ts";
import { checkSubject } from "./subject-rules.ts";
import type { Decision, Facts, Use } from "./types.ts";
import { allowed, checkUse, type UseFacts } from "./use-rules.ts";

export function decide(policy: CompiledPolicy, facts: Facts, use: Use): Decision {
  const verdict = checkUse(policy, facts, use);
  if ("outcome" in verdict) return verdict;
  const subject = facts.subject;
  if (subject === null) {
    if (use.aggregate === true) return allowed(policy, verdict, use);
    return deny(
      policy,
      reason(null, RULE.subjectKnown, "subject_unknown", "a use about a person needs that person's facts"),
    );
  }
  return checkSubject(policy, verdict, subject, use) ?? allowed(policy, verdict, use);
}

/**
 * Rules 0–16 alone: a use of data held of nobody on record (a cookie's order form), or an
 * aggregate. The person rules (17–24) have no one to apply to.
 */
export function decideUse(policy: CompiledPolicy, facts: UseFacts, use: Use): Decision {
  const verdict = checkUse(policy, facts, use);
  return "outcome" in verdict ? verdict : allowed(policy, verdict, use);
}

/** The versions of one company's policy: compiled versions sorted oldest first, or a picker. */
export type PolicyVersions = readonly CompiledPolicy[] | { inForce(at: string): CompiledPolicy };

/**
 * `decide` under the version in force at `use.at` (PS-10, Z19-08): the latest whose
 * `effective_from` is not after it. Before the first version, nothing is allowed (rule 0).
 */
export function decideAt(versions: PolicyVersions, facts: Facts, use: Use): Decision {
  if (!Array.isArray(versions))
    return decide((versions as { inForce(at: string): CompiledPolicy }).inForce(use.at), facts, use);
  const list = versions as readonly CompiledPolicy[];
  const at = Date.parse(use.at);
  for (let i = list.length - 1; i >= 0; i--) {
    const policy = list[i] as CompiledPolicy;
    if (policy.effectiveFrom <= at) return decide(policy, facts, use);
  }
  const first = list[0];
  const ref = { company: first?.company ?? "", version: "" };
  const why = reason(
    null,
    RULE.policyInForce,
    "no_policy_in_force",
    "no version of the policy is in force at the time of use",
  );
  return { outcome: "deny", fields: [], removed: [], reasons: [why], policy: ref };
}
