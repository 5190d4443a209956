import type { Channel, MessageClass } from "../../policy/schema.ts";
import type { CampaignStatus, MessageState } from "./campaigns.table.ts";

/**
 * A campaign: one message (class, topic, channel, content) for everyone the gate lets it reach.
 * Life cycle, one transition table (TRANSITIONS) and one `moveCampaign()` (transition.ts):
 *
 *   draft ──send──► sending ──(outbox empty)──► sent
 *     │               │  ▲                       │
 *     │            cancel │ resend-uncertain ◄──────┘
 *     ▼               ▼  │
 *   cancelled ◄──── (stopped: by the send guard, ZM-10)
 */
export const TRANSITIONS = {
  send: { from: ["draft"], to: "sending" },
  finish: { from: ["sending"], to: "sent" },
  stop: { from: ["sending"], to: "stopped" },
  cancel: { from: ["draft", "sending", "stopped"], to: "cancelled" },
  resend: { from: ["sending", "sent"], to: "sending" },
} as const satisfies Record<string, { from: readonly CampaignStatus[]; to: CampaignStatus }>;
export type CampaignMove = keyof typeof TRANSITIONS;

/** The record field a message on `channel` uses: what the gate is asked about. */
export function channelField(channel: Channel): string {
  switch (channel) {
    case "email":
      return "email";
    case "phone":
    case "sms":
      return "phone";
    case "postal":
    case "catalogue":
      return "postal_address";
    default: {
      const never: never = channel;
      throw new Error(`unknown channel ${String(never)}`);
    }
  }
}

export interface CampaignInput {
  readonly name: string;
  readonly purpose: string;
  readonly topic?: string;
  readonly messageClass: MessageClass;
  readonly channel: Channel;
  readonly subjectLine?: string;
  readonly text: string;
  readonly html?: string;
  /** The processor (mail house, call centre) that receives postal, catalogue and phone lists. */
  readonly recipient?: string;
}

export type StateCounts = Record<MessageState, number>;

export interface Campaign {
  readonly id: string;
  readonly name: string;
  readonly purpose: string;
  readonly topic: string | null;
  readonly messageClass: MessageClass;
  readonly channel: Channel;
  readonly recipient: string | null;
  readonly subjectLine: string | null;
  readonly text: string;
  readonly html: string | null;
  readonly status: CampaignStatus;
  readonly policyVersion: string | null;
  readonly audienceSize: number | null;
  readonly stoppedReason: string | null;
  readonly stoppedClause: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

/** A campaign with where its outbox stands: counts per state, and the messages left uncertain. */
export interface CampaignView extends Campaign {
  readonly messages: StateCounts;
  /** Messages whose delivery is unknown after a crash: never resent without a staff decision. */
  readonly uncertain: readonly { readonly messageId: string; readonly subjectId: string }[];
}

export interface AudiencePreview {
  readonly audience: number;
  readonly excluded: readonly {
    readonly code: string;
    readonly clause: string | null;
    readonly count: number;
  }[];
  readonly decision: {
    readonly outcome: "allow" | "partial" | "deny";
    readonly clauses: readonly string[];
    readonly policy: { readonly company: string; readonly version: string };
  };
}

/**
 * One message of the outbox, named with its person: the pair is the row's primary key, so the
 * sender reads and moves it on the one shard that holds the person (docs/citus.md).
 */
export interface MessageRef {
  readonly messageId: string;
  readonly subjectId: string;
}

export const refOf = (r: { message_id: string; subject_id: string }): MessageRef => ({
  messageId: r.message_id,
  subjectId: r.subject_id,
});

/**
 * A job of the send queue: ids only. Jobs queued before messages were named with their person
 * carry `messageIds`, each of which is looked for on every shard.
 */
export type SendJob = { readonly campaignId: string } & (
  { readonly messages: readonly MessageRef[] } | { readonly messageIds: readonly string[] }
);

export const SEND_QUEUE = "campaign-send";
/** Messages per job. */
export const BATCH = 25;
/** Attempts before a message that keeps failing for a temporary reason is marked failed. */
export const MAX_ATTEMPTS = 8;
