import type { Acting } from "../../use/acting.ts";
import { randomUUID } from "node:crypto";
import { sql, type Kysely, type Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import { identityKindOf } from "../../gate/facts.table.ts";
import { PledgeError } from "../../errors.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { evaluateGuard, guardCounts } from "../campaigns/guard.ts";
import { refOfLocalPart, messageIdKey } from "../campaigns/message-id.ts";
import { suppressIndex } from "../suppression/suppression.service.ts";
import "./deliverability.events.ts";
import type { DeliverabilityKind, DeliverabilitySource } from "./deliverability.table.ts";

/**
 * Bounces and complaints (ZM-10). A report names a campaign message, by the outbox message id or
 * by the Message-ID header it was sent with. Every report of a call is recorded in one
 * transaction, and in that same transaction each campaign concerned is re-evaluated by the send
 * guard (campaigns/guard.ts), which may stop it. A complaint also puts the person's address on the
 * Do Not Send list when the pack keeps one for the campaign's channel (PS-05). A message reported
 * twice for the same kind counts once. A call naming any unknown message writes nothing.
 *
 * Any report about a message is the relay's word that it took the message. A message a crash left
 * `uncertain` (campaigns/send.ts) is therefore settled as `sent` by its first report, typically a
 * `delivered` one: it is never sent again, and `resend-uncertain` only resends what no report
 * settled. `delivered` reports do not count towards the send guard's rates.
 */
export interface DeliverabilityReport {
  /** The outbox message id (uuid), or the Message-ID header sent (with or without <>). */
  readonly messageId: string;
  readonly kind: DeliverabilityKind;
  /** A short code or SMTP status, e.g. `5.1.1`; never an address. */
  readonly detail?: string;
  /** When the provider saw it; defaults to now. */
  readonly at?: Date;
}

export interface DeliverabilityContext {
  /** `staff:<id>` or `webhook:deliverability`. */
  readonly actor: string;
  readonly now: Date;
  readonly source: DeliverabilitySource;
}

export interface CampaignState {
  readonly campaignId: string;
  readonly status: string;
  readonly stoppedReason: string | null;
  readonly stoppedClause: string | null;
  readonly sent: number;
  readonly bounces: number;
  readonly complaints: number;
}

export interface RecordOutcome {
  readonly recorded: number;
  readonly duplicates: number;
  /** Reports whose complaint put an address on the Do Not Send list now. */
  readonly suppressed: number;
  readonly campaigns: readonly CampaignState[];
}

interface Target {
  readonly messageId: string;
  readonly campaignId: string;
  readonly subjectId: string;
  readonly channel: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `onlyCampaign`: the API's per-campaign route; a message of another campaign is not found there. */
export async function recordReports(
  db: Kysely<Database>,
  pack: PolicyPack,
  reports: readonly DeliverabilityReport[],
  ctx: DeliverabilityContext,
  onlyCampaign?: string,
): Promise<RecordOutcome> {
  const key = await messageIdKey(db);
  return db.transaction().execute(async (trx) => {
    const targets: Target[] = [];
    for (let i = 0; i < reports.length; i++) {
      const target = await findMessage(trx, key, (reports[i] as DeliverabilityReport).messageId);
      if (target === null || (onlyCampaign !== undefined && target.campaignId !== onlyCampaign)) {
        const where = reports.length > 1 ? ` (report ${i})` : "";
        throw new PledgeError("PLEDGE_NOT_FOUND", `no such campaign message${where}`);
      }
      targets.push(target);
    }
    const campaignIds = [...new Set(targets.map((t) => t.campaignId))].sort();
    // Reports of one campaign queue behind each other here, so each guard evaluation sees them all.
    await trx
      .selectFrom("campaigns")
      .select("campaign_id")
      .where("campaign_id", "in", campaignIds)
      .orderBy("campaign_id")
      .forUpdate()
      .execute();
    const perCampaign = new Map(campaignIds.map((id) => [id, { bounces: 0, complaints: 0, duplicates: 0 }]));
    let recorded = 0;
    let suppressed = 0;
    for (let i = 0; i < reports.length; i++) {
      const report = reports[i] as DeliverabilityReport;
      const target = targets[i] as Target;
      const tally = perCampaign.get(target.campaignId) as {
        bounces: number;
        complaints: number;
        duplicates: number;
      };
      const inserted = await trx
        .insertInto("deliverability_events")
        .values({
          subject_id: target.subjectId,
          event_id: randomUUID(),
          campaign_id: target.campaignId,
          message_id: target.messageId,
          kind: report.kind,
          detail: report.detail ?? null,
          source: ctx.source,
          occurred_at: report.at ?? ctx.now,
          recorded_at: ctx.now,
          recorded_by: ctx.actor,
        })
        .onConflict((oc) => oc.columns(["subject_id", "message_id", "kind"]).doNothing())
        .returning("event_id")
        .executeTakeFirst();
      if (inserted === undefined) {
        tally.duplicates++;
        continue;
      }
      recorded++;
      await settleUncertain(trx, target, report, ctx);
      if (report.kind === "delivered") continue;
      if (report.kind === "bounce") tally.bounces++;
      else {
        tally.complaints++;
        if (await suppressComplainant(trx, pack, target, ctx)) suppressed++;
      }
    }
    const campaigns: CampaignState[] = [];
    for (const [campaignId, tally] of perCampaign) {
      if (tally.bounces + tally.complaints + tally.duplicates > 0) {
        await appendAudit(trx, [
          {
            type: "deliverability.recorded",
            at: ctx.now,
            actor: ctx.actor,
            subjectId: null,
            payload: { campaignId, source: ctx.source, ...tally },
          },
        ]);
      }
      await evaluateGuard(trx, pack, campaignId, ctx);
      campaigns.push(await campaignState(trx, campaignId));
    }
    return { recorded, duplicates: reports.length - recorded, suppressed, campaigns };
  });
}

/** An `uncertain` message the relay reports on was sent: it becomes `sent`, audited. */
async function settleUncertain(
  trx: Transaction<Database>,
  target: Target,
  report: DeliverabilityReport,
  ctx: DeliverabilityContext,
): Promise<void> {
  const settled = await trx
    .updateTable("campaign_messages")
    .set({ state: "sent", sent_at: report.at ?? ctx.now, last_error: null })
    .where("subject_id", "=", target.subjectId)
    .where("message_id", "=", target.messageId)
    .where("state", "=", "uncertain")
    .returning("message_id")
    .executeTakeFirst();
  if (settled === undefined) return;
  await appendAudit(trx, [
    {
      type: "campaign.message_confirmed",
      at: ctx.now,
      actor: ctx.actor,
      subjectId: target.subjectId,
      payload: { campaignId: target.campaignId, messageId: target.messageId, by: report.kind },
    },
  ]);
}

/**
 * The message a report names: by the Message-ID header Pledge sent (`<message id>.<masked
 * person>@domain`, src/modules/campaigns/message-id.ts), found by primary key on the person's
 * shard; by a header of the older form (`<message id>@domain`), by the bare outbox message id,
 * or by a header recorded for the message, looked for on every shard.
 */
async function findMessage(trx: Transaction<Database>, key: Buffer, ref: string): Promise<Target | null> {
  const header = ref.replace(/^<|>$/g, "");
  const local = header.includes("@") ? header.slice(0, header.lastIndexOf("@")) : "";
  const named = refOfLocalPart(key, local);
  // A crash may leave a sent message uncertain, its header unrecorded: its local part names it.
  if (named === null && UUID.test(local)) ref = local;
  const row = await trx
    .selectFrom("campaign_messages as m")
    .innerJoin("campaigns as c", "c.campaign_id", "m.campaign_id")
    .select(["m.message_id", "m.campaign_id", "m.subject_id", "c.channel"])
    .where((eb) =>
      named !== null
        ? eb.and([eb("m.subject_id", "=", named.subjectId), eb("m.message_id", "=", named.messageId)])
        : UUID.test(ref)
          ? eb.or([eb("m.message_id", "=", ref), eb("m.header_message_id", "=", header)])
          : eb("m.header_message_id", "=", header),
    )
    .limit(1)
    .executeTakeFirst();
  return row === undefined
    ? null
    : {
        messageId: row.message_id,
        campaignId: row.campaign_id,
        subjectId: row.subject_id,
        channel: row.channel,
      };
}

/**
 * A complaint puts the address the message went to on the Do Not Send list, when the pack keeps
 * one for the channel: the person's primary identity of the channel's kind (the one campaigns
 * send to), by its blind index. Returns whether an entry was added now.
 */
async function suppressComplainant(
  trx: Transaction<Database>,
  pack: PolicyPack,
  target: Target,
  ctx: DeliverabilityContext,
): Promise<boolean> {
  const channels = pack.messages.suppression?.channels ?? [];
  const channel = channels.find((c) => c === target.channel);
  if (channel === undefined) return false;
  const identity = await trx
    .selectFrom("subject_identities")
    .select("blind_index")
    .where("subject_id", "=", target.subjectId)
    .where("kind", "=", identityKindOf(channel))
    .orderBy(sql`is_primary desc`)
    .orderBy("created_at")
    .limit(1)
    .executeTakeFirst();
  if (identity === undefined) return false;
  const { added } = await suppressIndex(
    trx,
    {
      channel,
      addressIndex: identity.blind_index,
      reason: "complaint",
      source: ctx.source === "api" ? "staff" : "import",
    },
    { actor: ctx.actor, now: ctx.now },
  );
  return added;
}

/** A campaign's status and the counts the guard looks at. */
export async function campaignState(trx: Kysely<Database>, campaignId: string): Promise<CampaignState> {
  const row = await trx
    .selectFrom("campaigns")
    .where("campaign_id", "=", campaignId)
    .select(["campaign_id", "status", "stopped_reason", "stopped_clause"])
    .executeTakeFirstOrThrow();
  return {
    campaignId: row.campaign_id,
    status: row.status,
    stoppedReason: row.stopped_reason,
    stoppedClause: row.stopped_clause,
    ...(await guardCounts(trx, campaignId)),
  };
}

/** A campaign's guard counts as rates, beside the pack's send guard (null: the pack has none). */
export interface CampaignRates extends CampaignState {
  /** Bounced messages over messages sent; null while nothing was sent. */
  readonly bounceRate: number | null;
  readonly complaintRate: number | null;
  readonly guard: {
    readonly maxBounceRate: number;
    readonly maxComplaintRate: number;
    readonly minSample: number;
    readonly clauses: readonly string[];
  } | null;
  readonly policyVersion: string;
}

/**
 * The rates the send guard looks at for one campaign, and the limits of `pack` (the one in
 * force, which is the one the guard applies to the next report). Counts only, nobody's data.
 */
export async function campaignRates(
  db: Kysely<Database>,
  pack: PolicyPack,
  campaignId: string,
): Promise<CampaignRates> {
  const state = await campaignState(db, campaignId);
  const guard = pack.messages.send_guard;
  const rate = (count: number) => (state.sent === 0 ? null : count / state.sent);
  return {
    ...state,
    bounceRate: rate(state.bounces),
    complaintRate: rate(state.complaints),
    guard:
      guard === undefined
        ? null
        : {
            maxBounceRate: guard.max_bounce_rate,
            maxComplaintRate: guard.max_complaint_rate,
            minSample: guard.min_sample,
            clauses: guard.clauses,
          },
    policyVersion: pack.version,
  };
}

/**
 * Staff report for a campaign when their role sends its purpose (admin keys always may). An
 * unknown campaign is not found.
 */
export async function mayReport(
  db: Kysely<Database>,
  roles: readonly { id: string; purposes: readonly string[] }[],
  caller: Acting,
  campaignId: string,
): Promise<void> {
  const campaign = await db
    .selectFrom("campaigns")
    .select("purpose")
    .where("campaign_id", "=", campaignId)
    .executeTakeFirst();
  if (campaign === undefined) throw new PledgeError("PLEDGE_NOT_FOUND", "no such campaign");
  if (caller.actor.kind !== "staff") return;
  const role = roles.find((r) => r.id === caller.actor.role);
  if (role === undefined || !role.purposes.includes(campaign.purpose)) {
    throw new PledgeError(
      "PLEDGE_FORBIDDEN_ROLE",
      `staff role ${caller.actor.role ?? "(none)"} does not send purpose ${campaign.purpose}`,
    );
  }
}
