import { sql, type Kysely, type Transaction } from "kysely";
import type { PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import "../deliverability/deliverability.events.ts";
import { moveCampaign } from "./transition.ts";

/**
 * The send guard (ZM-10): a campaign that is sending stops itself when, once at least
 * `min_sample` messages were sent, its bounce rate or its complaint rate passes the pack's
 * `messages.send_guard` limit. Rates are bounced (or complained-of) messages over messages sent;
 * a message counts once per kind however often it is reported. Send workers send nothing for a
 * campaign that is not `sending`, so stopping it is what stops the outbox.
 */
export const GUARD_REASONS = ["bounce_rate_exceeded", "complaint_rate_exceeded"] as const;
export type GuardReason = (typeof GUARD_REASONS)[number];

export type SendGuard = NonNullable<PolicyPack["messages"]["send_guard"]>;

export interface GuardCounts {
  /** Messages of the campaign in state `sent`. */
  readonly sent: number;
  readonly bounces: number;
  readonly complaints: number;
}

export interface GuardResult {
  /** Whether the campaign is stopped now (by this evaluation or an earlier one). */
  readonly stopped: boolean;
  readonly reason?: string;
}

/** Pure: which limit the counts pass, bounces first; null while the sample is too small or within limits. */
export function guardVerdict(guard: SendGuard, counts: GuardCounts): GuardReason | null {
  if (counts.sent < guard.min_sample || counts.sent === 0) return null;
  if (counts.bounces / counts.sent > guard.max_bounce_rate) return "bounce_rate_exceeded";
  if (counts.complaints / counts.sent > guard.max_complaint_rate) return "complaint_rate_exceeded";
  return null;
}

/** Sent messages, and distinct bounced and complained-of messages, of one campaign. */
export async function guardCounts(trx: Kysely<Database>, campaignId: string): Promise<GuardCounts> {
  const sent = await trx
    .selectFrom("campaign_messages")
    .where("campaign_id", "=", campaignId)
    .where("state", "=", "sent")
    .select(sql<number>`cast(count(*) as integer)`.as("n"))
    .executeTakeFirstOrThrow();
  const reported = await trx
    .selectFrom("deliverability_events as e")
    .where("e.campaign_id", "=", campaignId)
    .select([
      sql<number>`cast(count(*) filter (where e.kind = ${"bounce"}) as integer)`.as("bounces"),
      sql<number>`cast(count(*) filter (where e.kind = ${"complaint"}) as integer)`.as("complaints"),
    ])
    .executeTakeFirstOrThrow();
  return { sent: Number(sent.n), bounces: Number(reported.bounces), complaints: Number(reported.complaints) };
}

/** Locks one campaign's row until the transaction ends: the first lock a guarded write takes. */
export async function lockCampaign(trx: Transaction<Database>, campaignId: string): Promise<void> {
  await trx
    .selectFrom("campaigns")
    .select("campaign_id")
    .where("campaign_id", "=", campaignId)
    .forUpdate()
    .execute();
}

/**
 * Evaluates the guard for one campaign in the caller's transaction (the one that recorded the
 * events, or the one that recorded a message as sent: a campaign whose reports came before the
 * minimum sample stops as soon as the sample is reached): locks the campaign row, and when a limit is passed moves it from `sending` to
 * `stopped` with the reason and the guard's clause, audited in the same transaction. A campaign
 * already stopped reports its reason; one that is not sending, or a pack without a guard, is
 * left alone.
 */
export async function evaluateGuard(
  trx: Transaction<Database>,
  pack: PolicyPack,
  campaignId: string,
  ctx: { readonly actor: string; readonly now: Date } = { actor: "system", now: new Date() },
): Promise<GuardResult> {
  const campaign = await trx
    .selectFrom("campaigns")
    .select(["status", "stopped_reason"])
    .where("campaign_id", "=", campaignId)
    .forUpdate()
    .executeTakeFirst();
  if (campaign === undefined) return { stopped: false };
  if (campaign.status === "stopped") {
    return campaign.stopped_reason === null
      ? { stopped: true }
      : { stopped: true, reason: campaign.stopped_reason };
  }
  const guard = pack.messages.send_guard;
  if (guard === undefined || campaign.status !== "sending") return { stopped: false };
  const counts = await guardCounts(trx, campaignId);
  const reason = guardVerdict(guard, counts);
  if (reason === null) return { stopped: false };
  const clause = guard.clauses[0] as string;
  const stopped = await moveCampaign(
    trx,
    { id: campaignId, status: campaign.status },
    "stop",
    { stopped_reason: reason, stopped_clause: clause, finished_at: ctx.now },
    {
      type: "send_guard.stopped",
      at: ctx.now,
      actor: ctx.actor,
      subjectId: null,
      payload: { campaignId, reason, clause, ...counts, policyVersion: pack.version },
    },
  );
  return stopped.ok ? { stopped: true, reason } : { stopped: false };
}
