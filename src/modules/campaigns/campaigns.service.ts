import { randomUUID } from "node:crypto";
import { sql, type Kysely, type SqlBool, type Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import type { AuditEvent } from "../../audit/audit.events.ts";
import { PledgeError } from "../../errors.ts";
import { decideUse } from "../../gate/decide.ts";
import { RULE } from "../../gate/reasons.ts";
import type { AudienceExplanation } from "../../gate/sql.ts";
import type { Database } from "../../store/database.ts";
import { auditActor, type Acting } from "../../use/acting.ts";
import { breakdownAudience } from "../../use/audience.ts";
import { use, useIn, type Ask, type UseDeps, type UseScope } from "../../use/kernel.ts";
import { clausesOf, failWith, ok, type Result } from "../../use/refusal.ts";
import "./campaigns.events.ts";
import * as repo from "./campaigns.repository.ts";
import {
  channelField,
  refOf,
  type AudiencePreview,
  type Campaign,
  type CampaignInput,
  type CampaignView,
  type MessageRef,
} from "./campaigns.ts";
import { isListChannel, listFields } from "./lists.ts";
import { finishIfDone } from "./send.ts";
import { moveCampaign } from "./transition.ts";

/**
 * Campaign use cases. Every one that touches people is a use of the kernel: creating a campaign
 * asks the gate about its use (rules 0–16), previewing and sending ask it about everyone (the
 * audience in SQL, `explainAudience`: the same rules that decide one message decide who is
 * drawn), and the draw into the outbox commits in the transaction that decided. Names the pack
 * does not know and message forms it does not allow are malformed campaigns: 400, nothing
 * written. Status moves go through the campaign's one transition table (`moveCampaign`).
 */
export interface CampaignsDeps extends UseDeps {
  /** Queues the sending of drawn email messages; null when this node cannot send email. */
  readonly enqueue: ((campaignId: string, messages: readonly MessageRef[]) => Promise<void>) | null;
}

export async function createCampaign(
  deps: CampaignsDeps,
  acting: Acting,
  input: CampaignInput,
): Promise<Result<CampaignView>> {
  const malformed = malformedCampaign(deps, acting, input);
  if (malformed !== null) return failWith(malformed);
  const id = randomUUID();
  const made = await use(deps, acting, { nobody: true }, sendAsk(deps, input), async (scope) => {
    const { trx, now } = scope;
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
      created_by: acting.actor.id,
      started_at: null,
      finished_at: null,
    });
    scope.record(
      campaignEvent(acting, now, "campaign.created", {
        campaignId: id,
        purpose: input.purpose,
        channel: input.channel,
        messageClass: input.messageClass,
      }),
    );
    return ok(id);
  });
  if (!made.ok) return made;
  return ok(await viewOf(deps.db, await mustFind(deps.db, id)));
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
  acting: Acting,
  id: string,
): Promise<Result<AudiencePreview>> {
  const campaign = await mustFind(deps.db, id);
  const input = inputOf(campaign);
  const malformed = malformedCampaign(deps, acting, input);
  if (malformed !== null) return failWith(malformed);
  return use(deps, acting, { audience: true }, sendAsk(deps, input), async (scope) => {
    const audience = await withList(deps, scope, input);
    if (!audience.ok) return audience;
    const counts = await breakdownAudience(scope.trx, audience.value);
    const merged = new Map<string, { code: string; clause: string | null; count: number }>();
    for (const { reason, count } of counts.excluded) {
      const key = `${reason.code} ${reason.clause ?? ""}`;
      const entry = merged.get(key) ?? { code: reason.code, clause: reason.clause, count: 0 };
      entry.count += count;
      merged.set(key, entry);
    }
    const decision = scope.decision;
    scope.record(
      campaignEvent(acting, scope.now, "campaign.previewed", {
        campaignId: id,
        audience: counts.audience,
        policyVersion: decision.policy.version,
      }),
    );
    return ok({
      audience: counts.audience,
      excluded: [...merged.values()],
      decision: { outcome: decision.outcome, clauses: clausesOf(decision), policy: decision.policy },
    });
  });
}

/**
 * Starts sending: in the transaction that decided, draws the audience into the outbox in one
 * statement and moves the campaign to `sending`; for email, queues the jobs after the commit (a
 * job never names a message that is not there). Postal, catalogue and phone messages wait in the
 * outbox for their list export.
 */
export async function sendCampaign(
  deps: CampaignsDeps,
  acting: Acting,
  id: string,
): Promise<Result<CampaignView>> {
  const found = await mustFind(deps.db, id);
  if (found.channel === "email" && deps.enqueue === null) {
    return failWith(
      new PledgeError(
        "PLEDGE_CAMPAIGN_NO_TRANSPORT",
        "email campaigns need an SMTP relay: set PLEDGE_SMTP_URL (docs/campaigns.md)",
      ),
    );
  }
  const input = inputOf(found);
  const malformed = malformedCampaign(deps, acting, input);
  if (malformed !== null) return failWith(malformed);
  const drawn = await use(deps, acting, { audience: true }, sendAsk(deps, input), async (scope) => {
    const audience = await withList(deps, scope, input);
    if (!audience.ok) return audience;
    const { trx, now, decision } = scope;
    const campaign = await lockCampaign(trx, id);
    const count = await repo.drawOutbox(trx, id, audience.value, now);
    const started = campaignEvent(acting, now, "campaign.send_started", {
      campaignId: id,
      audience: count,
      policyVersion: decision.policy.version,
      clauses: clausesOf(decision),
    });
    const columns = { policy_version: decision.policy.version, audience_size: count, started_at: now };
    const moved = await moveCampaign(trx, campaign, "send", columns, started);
    if (!moved.ok) return moved;
    return ok(count);
  });
  if (!drawn.ok) return drawn;
  if (found.channel === "email" && deps.enqueue !== null) {
    if (drawn.value > 0) await deps.enqueue(id, await repo.messageRefs(deps.db, id, "queued"));
    else await finishIfDone(deps.db, id, deps.clock);
  }
  return ok(await viewOf(deps.db, await mustFind(deps.db, id)));
}

/** Cancels a draft or a campaign being sent: messages not yet claimed are never sent. */
export async function cancelCampaign(
  deps: CampaignsDeps,
  acting: Acting,
  id: string,
): Promise<Result<CampaignView>> {
  const now = deps.clock();
  const moved = await deps.db.transaction().execute(async (trx) => {
    const campaign = await lockCampaign(trx, id);
    const event = campaignEvent(acting, now, "campaign.cancelled", { campaignId: id, from: campaign.status });
    return moveCampaign(trx, campaign, "cancel", { finished_at: now }, event);
  });
  if (!moved.ok) return moved;
  return ok(await viewOf(deps.db, await mustFind(deps.db, id)));
}

/**
 * A staff decision to send again the messages left `uncertain` by a crash (their first send may
 * or may not have arrived): they go back to `queued` and the campaign to `sending`.
 */
export async function resendUncertain(
  deps: CampaignsDeps,
  acting: Acting,
  id: string,
): Promise<Result<CampaignView>> {
  const found = await mustFind(deps.db, id);
  if (found.channel === "email" && deps.enqueue === null) {
    return failWith(
      new PledgeError(
        "PLEDGE_CAMPAIGN_NO_TRANSPORT",
        "email campaigns need an SMTP relay: set PLEDGE_SMTP_URL",
      ),
    );
  }
  const now = deps.clock();
  const requeued = await deps.db.transaction().execute(async (trx): Promise<Result<MessageRef[]>> => {
    const campaign = await lockCampaign(trx, id);
    const rows = await trx
      .updateTable("campaign_messages")
      .set({ state: "queued", last_error: null, claimed_by: null })
      .where("campaign_id", "=", id)
      .where("state", "=", "uncertain")
      .returning(["message_id", "subject_id"])
      .execute();
    const event = campaignEvent(acting, now, "campaign.resend_uncertain", {
      campaignId: id,
      messages: rows.length,
    });
    if (rows.length > 0) {
      const moved = await moveCampaign(trx, campaign, "resend", { finished_at: null }, event);
      if (!moved.ok) return moved;
    } else {
      await appendAudit(trx, [event]);
    }
    return ok(rows.map(refOf));
  });
  if (!requeued.ok) return requeued;
  if (requeued.value.length > 0 && deps.enqueue !== null) await deps.enqueue(id, requeued.value);
  return ok(await viewOf(deps.db, await mustFind(deps.db, id)));
}

// ---------------------------------------------------------------------------------------------

/** The campaign's use, as the gate is asked about it: a send of the channel's field. */
function sendAsk(deps: CampaignsDeps, input: CampaignInput): Ask {
  const { policy } = deps.policies.at(deps.clock().toISOString());
  const field = channelField(input.channel);
  return {
    action: "send",
    purpose: input.purpose,
    fields: policy.fieldCategory.has(field) ? [field] : [],
    channel: input.channel,
    messageClass: input.messageClass,
    ...(input.topic === undefined ? {} : { topic: input.topic }),
  };
}

/**
 * A campaign the pack cannot make sense of: an unknown topic or list recipient, a class the pack
 * does not list, an email without a subject line, or a message form the purpose does not send
 * (gate rules 14 and 15). Malformed: 400 naming the clause, nothing written. Null otherwise.
 */
function malformedCampaign(deps: CampaignsDeps, acting: Acting, input: CampaignInput): PledgeError | null {
  const now = deps.clock();
  const { pack, policy } = deps.policies.at(now.toISOString());
  const facts = {
    actorAttested: acting.attested,
    recipientContractOnFile: null,
    deploymentRegion: deps.region,
  };
  const at = now.toISOString();
  const where = `in ${pack.company} ${pack.version}`;
  if (input.topic !== undefined && !policy.topics.has(input.topic)) {
    return new PledgeError("PLEDGE_UNKNOWN_TOPIC", `topic ${JSON.stringify(input.topic)} is not ${where}`);
  }
  if (input.recipient !== undefined && !policy.recipients.has(input.recipient)) {
    // The clause that refuses an unknown recipient (ZZ-06: a pack that never shares names it).
    const listing = decideUse(policy, facts, {
      ...sendAsk(deps, input),
      action: "export",
      recipient: input.recipient,
      actor: acting.actor,
      at,
    });
    return new PledgeError(
      "PLEDGE_UNKNOWN_RECIPIENT",
      `recipient ${JSON.stringify(input.recipient)} is not ${where}`,
      clausesOf(listing),
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
  const decision = decideUse(policy, facts, { ...sendAsk(deps, input), actor: acting.actor, at });
  const first = decision.reasons[0];
  if (
    decision.outcome === "deny" &&
    first !== undefined &&
    (first.rule === RULE.topic || first.rule === RULE.messageForm)
  ) {
    return new PledgeError("PLEDGE_CAMPAIGN_INVALID", `${first.code}: ${first.detail}`, clausesOf(decision));
  }
  return null;
}

/**
 * Who a campaign reaches: the predicate and its parts (for the preview's breakdown), and the rows
 * of its kept audience when there is one (src/use/kept.ts), which the draw reads instead.
 */
type CampaignAudience = Pick<AudienceExplanation, "decision" | "where" | "parts"> & {
  readonly rows: UseScope["audienceRows"];
};

/**
 * A postal, catalogue or phone campaign reaches people through its list, which goes to the
 * campaign's processor (mail house, call centre): the audience is then also what the gate allows
 * for that export (the recipient's contract, its opt-out scope such as `catalogues`, PS-09),
 * decided and audited in the same transaction, so the preview counts and the outbox hold exactly
 * the people the list will carry. Other campaigns: the send's audience as it is.
 */
async function withList(
  deps: CampaignsDeps,
  scope: UseScope,
  input: CampaignInput,
): Promise<Result<CampaignAudience>> {
  const sending: CampaignAudience = {
    decision: scope.decision,
    where: scope.audience!,
    parts: scope.audienceParts,
    rows: scope.audienceRows,
  };
  const recipient = input.recipient;
  if (recipient === undefined || !isListChannel(input.channel)) return ok(sending);
  const fields = listFields(input.channel).filter((f) => scope.policy.fieldCategory.has(f));
  const ask: Ask = { ...sendAsk(deps, input), action: "export", recipient, fields };
  return useIn(scope.trx, deps, scope.acting, { audience: true }, ask, async (listing) =>
    ok({
      decision: sending.decision,
      where: sql<SqlBool>`(${sending.where} and ${listing.audience!})`,
      parts: [...sending.parts, ...listing.audienceParts],
      rows: null,
    }),
  );
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

function campaignEvent<T extends AuditEvent["type"]>(
  acting: Acting,
  at: Date,
  type: T,
  payload: Extract<AuditEvent, { type: T }>["payload"],
): AuditEvent {
  return { type, at, actor: auditActor(acting.actor), subjectId: null, payload } as AuditEvent;
}
