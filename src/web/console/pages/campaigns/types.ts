/**
 * What the campaign routes answer (src/modules/campaigns/campaigns.schemas.ts and
 * src/modules/deliverability/deliverability.schemas.ts), as far as the console reads them: ids and
 * counts, never anybody's data.
 */
export type CampaignStatus = "draft" | "sending" | "sent" | "stopped" | "cancelled";

export interface Campaign {
  readonly id: string;
  readonly name: string;
  readonly purpose: string;
  readonly topic: string | null;
  readonly messageClass: string;
  readonly channel: string;
  readonly recipient: string | null;
  readonly subjectLine: string | null;
  readonly status: CampaignStatus;
  readonly policyVersion: string | null;
  readonly audienceSize: number | null;
  readonly stoppedReason: string | null;
  readonly stoppedClause: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

export interface CampaignView extends Campaign {
  readonly messages: Readonly<
    Record<"queued" | "sending" | "sent" | "skipped" | "failed" | "uncertain", number>
  >;
  readonly uncertain: readonly { readonly messageId: string }[];
}

export interface Preview {
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

export interface Rates {
  readonly sent: number;
  readonly bounces: number;
  readonly complaints: number;
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

/** The message classes Pledge knows (MESSAGE_CLASSES in src/policy/schema.ts); the pack may list fewer. */
export const MESSAGE_CLASSES = [
  "marketing",
  "service",
  "billing",
  "security",
  "delivery",
  "policy_change",
  "feedback",
] as const;

/** The channels Pledge knows (CHANNELS in src/policy/schema.ts). */
export const CHANNELS = ["email", "postal", "catalogue", "phone", "sms"] as const;

/** A code or name as words: `not_consented` → "Not consented". */
export function words(code: string): string {
  const text = code.replace(/[_.]/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
