import { randomUUID } from "node:crypto";
import { sql, type Kysely, type SqlBool, type Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import type { AuditEvent } from "../../audit/audit.events.ts";
import type { CompiledPolicy } from "../../gate/compiled.ts";
import { RULE } from "../../gate/reasons.ts";
import { breakdownAudience, explainAudience, type AudienceExplanation } from "../../gate/sql.ts";
import type { Decision, Use } from "../../gate/types.ts";
import { PledgeError } from "../../http/errors.ts";
import type { PolicyBook } from "../../http/policies.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { actorOf, clausesOf } from "../orders/gated-use.ts";
import type { Caller } from "../staff/staff.ts";
import "./campaigns.events.ts";
import * as repo from "./campaigns.repository.ts";
import {
  channelField,
  TRANSITIONS,
  type AudiencePreview,
  type Campaign,
  type CampaignInput,
  type CampaignMove,
  type CampaignView,
} from "./campaigns.ts";
import { contractOnFile } from "../disclosures/ledger.ts";
import { isListChannel, listFields } from "./lists.ts";
import { finishIfDone } from "./send.ts";

/**
 * Campaign use cases. The audience is the gate's own SQL form of the use (`explainAudience`): the
 * same rules that decide one message decide who is drawn. Every change commits with its audit
 * events; refusals by the gate are audited too, then answered.
 */
export interface CampaignsDeps {
  readonly db: Kysely<Database>;
  readonly book: PolicyBook;
  readonly clock: () => Date;
  /** The region this deployment stores and processes data in (gate rule 1). */
  readonly region: string;
  /** Queues the sending of drawn email messages; null when this node cannot send email. */
  readonly enqueue: ((campaignId: string, messageIds: readonly string[]) => Promise<void>) | null;
}

const actor = (caller: Caller) => `staff:${caller.staffId}`;

export async function createCampaign(
  deps: CampaignsDeps,
  caller: Caller,
  input: CampaignInput,
): Promise<CampaignView> {
  const now = deps.clock();
  const judged = judge(deps, caller, input, now);
  if (!judged.ok) return refuse(deps, caller, now, judged);
  const id = randomUUID();
  await deps.db.transaction().execute(async (trx) => {
    await repo.insertCampaign(trx, {
      campaign_id: id,
      name: input.name,
      purpose: input.purpose,
      topic: input.topic ?? null,
      message_class: input.messageClass,
      channel: input.channel,
      recipient: input.recipient ?? null,
      subject_line: input.subjectLine ?? null,
      body_text: input.text,
      body_html: input.html ?? null,
      status: "draft",
      policy_version: null,
      audience_size: null,
      stopped_reason: null,
      stopped_clause: null,
      created_at: now,
      created_by: caller.staffId,
      started_at: null,
      finished_at: null,
    });
    await appendAudit(trx, [
      event(caller, now, "campaign.created", {
        campaignId: id,
        purpose: input.purpose,
        channel: input.channel,
        messageClass: input.messageClass,
      }),
    ]);
  });
  return viewOf(deps.db, await mustFind(deps.db, id));
}

export async function getCampaign(deps: CampaignsDeps, id: string): Promise<CampaignView> {
  return viewOf(deps.db, await mustFind(deps.db, id));
}

export async function listCampaigns(
  deps: CampaignsDeps,
  limit: number,
  after: { createdAt: string; id: string } | null,
  purposes: readonly string[] | null,
): Promise<Campaign[]> {
  return repo.listCampaigns(deps.db, limit, after, purposes);
}

/** How many the campaign would reach now, and how many each rule leaves out (with its clause). */
export async function previewCampaign(
  deps: CampaignsDeps,
  caller: Caller,
  id: string,
): Promise<AudiencePreview> {
  const campaign = await mustFind(deps.db, id);
  const now = deps.clock();
  const judged = await withListRecipient(deps, caller, judge(deps, caller, inputOf(campaign), now), now);
  if (!judged.ok) return refuse(deps, caller, now, judged);
  const { explanation } = judged;
  const counts = await breakdownAudience(deps.db, explanation);
  const merged = new Map<string, { code: string; clause: string | null; count: number }>();
  for (const { reason, count } of counts.excluded) {
    const key = `${reason.code} ${reason.clause ?? ""}`;
    const entry = merged.get(key) ?? { code: reason.code, clause: reason.clause, count: 0 };
    entry.count += count;
    merged.set(key, entry);
  }
  const decision = explanation.decision;
  await deps.db.transaction().execute(async (trx) => {
    await appendAudit(trx, [
      decisionEvent(caller, now, judged.use, decision),
      event(caller, now, "campaign.previewed", {
        campaignId: id,
        audience: counts.audience,
        policyVersion: decision.policy.version,
      }),
    ]);
  });
  return {
    audience: counts.audience,
    excluded: [...merged.values()],
    decision: { outcome: decision.outcome, clauses: clausesOf(decision), policy: decision.policy },
  };
}

/**
 * Starts sending: draws the audience into the outbox in one statement, moves the campaign to
 * `sending` and, for email, queues the jobs (after the commit: a job never names a message that is
 * not there). Postal, catalogue and phone messages wait in the outbox for their list export.
 */
export async function sendCampaign(deps: CampaignsDeps, caller: Caller, id: string): Promise<CampaignView> {
  const found = await mustFind(deps.db, id);
  if (found.channel === "email" && deps.enqueue === null) {
    throw new PledgeError(
      "PLEDGE_CAMPAIGN_NO_TRANSPORT",
      "email campaigns need an SMTP relay: set PLEDGE_SMTP_URL (docs/campaigns.md)",
    );
  }
  const now = deps.clock();
  const judged = await withListRecipient(deps, caller, judge(deps, caller, inputOf(found), now), now);
  if (!judged.ok) return refuse(deps, caller, now, judged);
  const { explanation, use } = judged;
  const drawn = await deps.db.transaction().execute(async (trx) => {
    const campaign = await lockCampaign(trx, id);
    const count = await repo.drawOutbox(trx, id, explanation.where, now);
    await transition(trx, campaign, "send", {
      policy_version: explanation.decision.policy.version,
      audience_size: count,
      started_at: now,
    });
    await appendAudit(trx, [
      decisionEvent(caller, now, use, explanation.decision),
      event(caller, now, "campaign.send_started", {
        campaignId: id,
        audience: count,
        policyVersion: explanation.decision.policy.version,
        clauses: clausesOf(explanation.decision),
      }),
    ]);
    return count;
  });
  if (found.channel === "email" && deps.enqueue !== null) {
    if (drawn > 0) await deps.enqueue(id, await repo.messageIds(deps.db, id, "queued"));
    else await finishIfDone(deps.db, id, deps.clock);
  }
  return viewOf(deps.db, await mustFind(deps.db, id));
}

/** Cancels a draft or a campaign being sent: messages not yet claimed are never sent. */
export async function cancelCampaign(deps: CampaignsDeps, caller: Caller, id: string): Promise<CampaignView> {
  const now = deps.clock();
  await deps.db.transaction().execute(async (trx) => {
    const campaign = await lockCampaign(trx, id);
    await transition(trx, campaign, "cancel", { finished_at: now });
    await appendAudit(trx, [
      event(caller, now, "campaign.cancelled", { campaignId: id, from: campaign.status }),
    ]);
  });
  return viewOf(deps.db, await mustFind(deps.db, id));
}

/**
 * A staff decision to send again the messages left `uncertain` by a crash (their first send may
 * or may not have arrived): they go back to `queued` and the campaign to `sending`.
 */
export async function resendUncertain(
  deps: CampaignsDeps,
  caller: Caller,
  id: string,
): Promise<CampaignView> {
  const found = await mustFind(deps.db, id);
  if (found.channel === "email" && deps.enqueue === null) {
    throw new PledgeError(
      "PLEDGE_CAMPAIGN_NO_TRANSPORT",
      "email campaigns need an SMTP relay: set PLEDGE_SMTP_URL",
    );
  }
  const now = deps.clock();
  const ids = await deps.db.transaction().execute(async (trx) => {
    const campaign = await lockCampaign(trx, id);
    const rows = await trx
      .updateTable("campaign_messages")
      .set({ state: "queued", last_error: null, claimed_by: null })
      .where("campaign_id", "=", id)
      .where("state", "=", "uncertain")
      .returning("message_id")
      .execute();
    if (rows.length > 0) await transition(trx, campaign, "resend", { finished_at: null });
    await appendAudit(trx, [
      event(caller, now, "campaign.resend_uncertain", { campaignId: id, messages: rows.length }),
    ]);
    return rows.map((r) => r.message_id);
  });
  if (ids.length > 0 && deps.enqueue !== null) await deps.enqueue(id, ids);
  return viewOf(deps.db, await mustFind(deps.db, id));
}

// ---------------------------------------------------------------------------------------------

type Judged =
  | { ok: true; use: Use; explanation: AudienceExplanation; recipient?: string }
  | { ok: false; error: PledgeError; use: Use | null; decision: Decision | null };

/**
 * What the gate says of the campaign's use now. Names the pack does not know, and message forms
 * it does not allow (gate rules 14 and 15: topic not governed by the purpose or not on the
 * channel, a channel or class the purpose does not send) are malformed campaigns: 400, nothing
 * written. Any other refusal that does not depend on the person (a purpose not in the pack, a
 * role that may not use it, third parties) is 403 naming the clause, and is audited.
 */
function judge(deps: CampaignsDeps, caller: Caller, input: CampaignInput, now: Date): Judged {
  const { pack, policy } = deps.book.at(now.toISOString());
  const malformed = unknownNames(pack, policy, input);
  if (malformed !== null) return { ok: false, error: malformed, use: null, decision: null };
  const field = channelField(input.channel);
  const use: Use = {
    action: "send",
    purpose: input.purpose,
    actor: actorOf(caller),
    fields: policy.fieldCategory.has(field) ? [field] : [],
    channel: input.channel,
    messageClass: input.messageClass,
    ...(input.topic === undefined ? {} : { topic: input.topic }),
    at: now.toISOString(),
  };
  const explanation = explainAudience(
    policy,
    { actorAttested: caller.attested, recipientContractOnFile: null, deploymentRegion: deps.region },
    use,
  );
  const decision = explanation.decision;
  if (decision.outcome !== "deny") {
    return {
      ok: true,
      use,
      explanation,
      ...(input.recipient === undefined ? {} : { recipient: input.recipient }),
    };
  }
  const first = decision.reasons[0];
  const detail = first === undefined ? "refused" : `${first.code}: ${first.detail}`;
  if (first !== undefined && (first.rule === RULE.topic || first.rule === RULE.messageForm)) {
    const error = new PledgeError("PLEDGE_CAMPAIGN_INVALID", detail, clausesOf(decision));
    return { ok: false, error, use: null, decision: null };
  }
  return {
    ok: false,
    error: new PledgeError("PLEDGE_USE_REFUSED", detail, clausesOf(decision)),
    use,
    decision,
  };
}

/**
 * A postal, catalogue or phone campaign reaches people through its list, which goes to the
 * campaign's processor (mail house, call centre): the audience is then also what the gate allows
 * for that export (the recipient's contract, its opt-out scope such as `catalogues`, PS-09), so
 * the preview counts and the outbox hold exactly the people the list will carry.
 */
async function withListRecipient(
  deps: CampaignsDeps,
  caller: Caller,
  judged: Judged,
  now: Date,
): Promise<Judged> {
  if (!judged.ok) return judged;
  const { use: send, explanation: sending } = judged;
  const channel = send.channel;
  const recipient = judged.recipient;
  if (recipient === undefined || channel === undefined || !isListChannel(channel)) return judged;
  const { policy } = deps.book.at(now.toISOString());
  const use: Use = {
    ...send,
    action: "export",
    recipient,
    fields: listFields(channel).filter((f) => policy.fieldCategory.has(f)),
  };
  const facts = {
    actorAttested: caller.attested,
    recipientContractOnFile: await contractOnFile(deps.db, recipient, now),
    deploymentRegion: deps.region,
  };
  const listing = explainAudience(policy, facts, use);
  const decision = listing.decision;
  if (decision.outcome === "deny") {
    const first = decision.reasons[0];
    const detail = first === undefined ? "refused" : `${first.code}: ${first.detail}`;
    return {
      ok: false,
      error: new PledgeError("PLEDGE_USE_REFUSED", detail, clausesOf(decision)),
      use,
      decision,
    };
  }
  const explanation: AudienceExplanation = {
    decision: sending.decision,
    where: sql<SqlBool>`(${sending.where} and ${listing.where})`,
    parts: [...sending.parts, ...listing.parts],
  };
  return { ok: true, use: send, explanation, recipient };
}

function unknownNames(pack: PolicyPack, policy: CompiledPolicy, input: CampaignInput): PledgeError | null {
  const where = `in ${pack.company} ${pack.version}`;
  if (input.topic !== undefined && !policy.topics.has(input.topic)) {
    return new PledgeError("PLEDGE_UNKNOWN_TOPIC", `topic ${JSON.stringify(input.topic)} is not ${where}`);
  }
  if (input.recipient !== undefined && !policy.recipients.has(input.recipient)) {
    return new PledgeError(
      "PLEDGE_UNKNOWN_RECIPIENT",
      `recipient ${JSON.stringify(input.recipient)} is not ${where}`,
    );
  }
  if (input.messageClass !== "marketing" && !policy.essential.has(input.messageClass)) {
    return new PledgeError(
      "PLEDGE_CAMPAIGN_INVALID",
      `message class ${input.messageClass} is not one the policy lists (marketing, or ${[...policy.essential].join(", ") || "no essential class"})`,
    );
  }
  if (input.channel === "email" && (input.subjectLine === undefined || input.subjectLine === "")) {
    return new PledgeError("PLEDGE_CAMPAIGN_INVALID", "an email campaign needs a subjectLine");
  }
  return null;
}

/** Writes the refusal's decision to the audit log (when the gate made one), then throws it. */
async function refuse(
  deps: CampaignsDeps,
  caller: Caller,
  now: Date,
  judged: Extract<Judged, { ok: false }>,
): Promise<never> {
  if (judged.use !== null && judged.decision !== null) {
    const { use, decision } = judged;
    await deps.db.transaction().execute(async (trx) => {
      await appendAudit(trx, [decisionEvent(caller, now, use, decision)]);
    });
  }
  throw judged.error;
}

async function transition(
  trx: Transaction<Database>,
  campaign: Campaign,
  move: CampaignMove,
  extra: Parameters<typeof repo.setStatus>[3] = {},
): Promise<void> {
  const allowed: readonly string[] = TRANSITIONS[move].from;
  if (!allowed.includes(campaign.status)) {
    throw new PledgeError(
      "PLEDGE_CAMPAIGN_TRANSITION_INVALID",
      `a ${campaign.status} campaign cannot ${move} (it can from ${allowed.join(", ")})`,
    );
  }
  await repo.setStatus(trx, campaign.id, TRANSITIONS[move].to, extra);
}

async function lockCampaign(trx: Transaction<Database>, id: string): Promise<Campaign> {
  const campaign = await repo.findCampaign(trx, id, true);
  if (campaign === null) throw new PledgeError("PLEDGE_NOT_FOUND", "no campaign with this id");
  return campaign;
}

async function mustFind(db: Kysely<Database>, id: string): Promise<Campaign> {
  const campaign = await repo.findCampaign(db, id);
  if (campaign === null) throw new PledgeError("PLEDGE_NOT_FOUND", "no campaign with this id");
  return campaign;
}

async function viewOf(db: Kysely<Database>, campaign: Campaign): Promise<CampaignView> {
  return {
    ...campaign,
    messages: await repo.stateCounts(db, campaign.id),
    uncertain: await repo.uncertainMessages(db, campaign.id),
  };
}

function inputOf(c: Campaign): CampaignInput {
  return {
    name: c.name,
    purpose: c.purpose,
    messageClass: c.messageClass,
    channel: c.channel,
    text: c.text,
    ...(c.topic === null ? {} : { topic: c.topic }),
    ...(c.subjectLine === null ? {} : { subjectLine: c.subjectLine }),
    ...(c.html === null ? {} : { html: c.html }),
    ...(c.recipient === null ? {} : { recipient: c.recipient }),
  };
}

function event<T extends AuditEvent["type"]>(
  caller: Caller,
  at: Date,
  type: T,
  payload: Extract<AuditEvent, { type: T }>["payload"],
): AuditEvent {
  return { type, at, actor: actor(caller), subjectId: null, payload } as AuditEvent;
}

function decisionEvent(caller: Caller, at: Date, use: Use, d: Decision): AuditEvent {
  return {
    type: "decision",
    at,
    actor: actor(caller),
    subjectId: null,
    payload: {
      outcome: d.outcome,
      purpose: use.purpose,
      action: use.action,
      recipient: use.recipient ?? null,
      clauses: clausesOf(d),
      policy: { company: d.policy.company, version: d.policy.version },
      fields: [...d.fields],
      removed: [...d.removed],
    },
  };
}
