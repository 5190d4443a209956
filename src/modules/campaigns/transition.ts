import type { Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import type { AuditEvent } from "../../audit/audit.events.ts";
import { PledgeError } from "../../errors.ts";
import type { Database } from "../../store/database.ts";
import { failWith, ok, type Result } from "../../use/refusal.ts";
import { TRANSITIONS, type CampaignMove } from "./campaigns.ts";
import type { CampaignStatus } from "./campaigns.table.ts";
import type { CampaignsTable } from "./campaigns.table.ts";
import "./campaigns.events.ts";
import "../deliverability/deliverability.events.ts";

/** The columns a move may set besides the status. */
export type MoveColumns = Partial<
  Pick<CampaignsTable, "policy_version" | "audience_size" | "stopped_reason" | "stopped_clause">
> & { started_at?: Date; finished_at?: Date | null };

/**
 * The one way a campaign's status changes: the move must be in TRANSITIONS from the status the
 * caller read (with the row locked, or as the condition of the update itself), the status and
 * the move's columns are set only while the campaign is still in that status, and the move's
 * audit event is written, all in the caller's transaction. A move the table does not allow, or
 * one another transaction made first, is PLEDGE_CAMPAIGN_TRANSITION_INVALID and changes nothing.
 */
export async function moveCampaign(
  trx: Transaction<Database>,
  campaign: { readonly id: string; readonly status: CampaignStatus },
  move: CampaignMove,
  columns: MoveColumns,
  event: AuditEvent,
): Promise<Result<CampaignStatus>> {
  const allowed: readonly CampaignStatus[] = TRANSITIONS[move].from;
  const refused = () =>
    failWith<CampaignStatus>(
      new PledgeError(
        "PLEDGE_CAMPAIGN_TRANSITION_INVALID",
        `a ${campaign.status} campaign cannot ${move} (it can from ${allowed.join(", ")})`,
      ),
    );
  if (!allowed.includes(campaign.status)) return refused();
  const to = TRANSITIONS[move].to;
  const moved = await trx
    .updateTable("campaigns")
    .set({ status: to, ...columns })
    .where("campaign_id", "=", campaign.id)
    .where("status", "=", campaign.status)
    .returning("campaign_id")
    .executeTakeFirst();
  if (moved === undefined) return refused();
  await appendAudit(trx, [event]);
  return ok(to);
}
