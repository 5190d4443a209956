import type { ColumnType, Generated } from "kysely";
import type { Channel, MessageClass } from "../../policy/schema.ts";

export const CAMPAIGN_STATUSES = ["draft", "sending", "sent", "stopped", "cancelled"] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/**
 * A message's place in the outbox. `queued` → `sending` (claimed, committed before the SMTP
 * exchange starts) → `sent` | `failed` (permanent refusal) | `skipped` (the gate refused at send
 * time, e.g. the person opted out after the audience was drawn) | `uncertain` (a crash left the
 * SMTP exchange's outcome unknown: never sent again automatically, listed for review).
 */
export const MESSAGE_STATES = ["queued", "sending", "sent", "failed", "skipped", "uncertain"] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];

/**
 * `campaigns`: what is sent (topic, class, channel, content) and where it stands. For postal,
 * catalogue and phone, `recipient` names the processor (mail house, call centre) the list goes to.
 * Created by src/store/migrations/2026112201_campaigns.ts.
 */
export interface CampaignsTable {
  campaign_id: string;
  name: string;
  purpose: string;
  topic: string | null;
  message_class: MessageClass;
  channel: Channel;
  recipient: string | null;
  subject_line: string | null;
  body_text: string;
  body_html: string | null;
  status: CampaignStatus;
  /** The policy version the audience was drawn under (set when sending starts). */
  policy_version: string | null;
  audience_size: number | null;
  /** Why the campaign stopped itself or was stopped: a code and the clause (e.g. ZM-10). */
  stopped_reason: string | null;
  stopped_clause: string | null;
  created_at: ColumnType<Date, Date | string, never>;
  created_by: string;
  started_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  finished_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
}

/**
 * `campaign_messages`: the outbox. One row per person per campaign (unique), which is what makes
 * a send exactly-once per person whatever the workers do.
 */
export interface CampaignMessagesTable {
  message_id: string;
  campaign_id: string;
  subject_id: string;
  state: MessageState;
  attempts: Generated<number>;
  /** A stable code for the last failure (smtp_refused, smtp_dropped, …): never an address. */
  last_error: string | null;
  queued_at: ColumnType<Date, Date | string, never>;
  sent_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  /** The Message-ID header sent (without the angle brackets). */
  header_message_id: string | null;
  /** The node that claimed the message for sending (2026112201_campaigns_claims.ts). */
  claimed_by: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface CampaignTables {
  campaigns: CampaignsTable;
  campaign_messages: CampaignMessagesTable;
}
