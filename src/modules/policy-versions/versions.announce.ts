import type { Acting } from "../../use/acting.ts";
import { unwrap } from "../../use/refusal.ts";
import { createCampaign, sendCampaign, type CampaignsDeps } from "../campaigns/campaigns.service.ts";
import type { Announcer, Announcement } from "./versions.service.ts";
import type { PolicyPack } from "../../policy/schema.ts";

/**
 * Announcing a material change (PS-10) as a `policy_change` campaign by email, made and started
 * with the campaign service, so the audience is the gate's own: an essential class reaches
 * opted-out and suppressed people (PS-06) and former customers, and only people Pledge can email
 * at all are drawn.
 *
 * A pack that lists no `policy_change` essential class, or no purpose that sends it by email,
 * promises no announcement (Zones, ZZ Servers, ZMailCloud: their clauses say a new version applies
 * when posted, and nothing about telling customers), so nothing is sent and the result says why.
 * Sending email needs an SMTP relay: without one the campaign is made and left a draft, to be
 * sent with `POST /v1/campaigns/:id/send` once one is configured.
 */
export function campaignAnnouncer(deps: CampaignsDeps, caller: Acting): Announcer {
  return async ({ current, next, effectiveAt, changes }) => {
    const purpose = announcingPurpose(current);
    if (purpose === null) {
      return {
        campaignId: null,
        queued: 0,
        note: `${current.company} ${current.version} lists no policy_change message sent by email: its clauses promise no announcement`,
      };
    }
    const lines = changes.map((c) => `- ${c.kind} ${c.area} ${c.id}: ${c.detail}`);
    const campaign = unwrap(
      await createCampaign(deps, caller, {
        name: `Policy change: ${next.company} ${next.version}`,
        purpose,
        messageClass: "policy_change",
        channel: "email",
        subjectLine: `Changes to the ${next.name} privacy policy`,
        text: [
          `We are changing our privacy policy. The new version (${next.version}, last updated ${next.last_updated})`,
          `applies from ${effectiveAt.toISOString()}; from then on it is published at /policy.`,
          "",
          "What changes:",
          ...lines,
        ].join("\n"),
      }),
    );
    if (deps.enqueue === null) {
      return {
        campaignId: campaign.id,
        queued: 0,
        note: "material change: the policy_change campaign is a draft until an SMTP relay is configured",
      };
    }
    const sent = unwrap(await sendCampaign(deps, caller, campaign.id));
    return announced(sent.id, sent.audienceSize ?? 0);
  };
}

function announced(campaignId: string, queued: number): Announcement {
  return { campaignId, queued, note: `material change: ${queued} policy_change message(s) queued` };
}

/** The purpose that sends policy_change messages by email, when the pack has one and calls the class essential. */
export function announcingPurpose(pack: PolicyPack): string | null {
  if (!pack.messages.essential.includes("policy_change")) return null;
  const purpose = pack.purposes.find(
    (p) =>
      (p.message_classes ?? []).includes("policy_change") &&
      (p.channels === undefined || p.channels.length === 0 || p.channels.includes("email")),
  );
  return purpose?.id ?? null;
}
