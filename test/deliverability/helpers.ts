import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { containsCardNumber } from "../../src/crypto/cards.ts";
import type { Database } from "../../src/store/database.ts";

/**
 * A campaign in the middle of sending, written straight to the tables: the guard and the
 * reports only read the campaign's status and its outbox states, whoever put them there.
 * `sent` messages to `people` (or made-up subject ids), then `queued` ones.
 */
export async function sendingCampaign(
  db: Kysely<Database>,
  opts: {
    channel?: "email" | "postal";
    purpose: string;
    sent: number;
    queued?: number;
    people?: readonly string[];
  },
): Promise<{ campaignId: string; sent: string[]; queued: string[] }> {
  const campaignId = randomUUID();
  const now = new Date();
  await db
    .insertInto("campaigns")
    .values({
      campaign_id: campaignId,
      name: "guard test",
      purpose: opts.purpose,
      topic: null,
      message_class: "marketing",
      channel: opts.channel ?? "email",
      recipient: null,
      subject_line: "Offers",
      body_text: "Offers",
      body_html: null,
      status: "sending",
      policy_version: null,
      audience_size: opts.sent + (opts.queued ?? 0),
      stopped_reason: null,
      stopped_clause: null,
      created_at: now,
      created_by: "system",
      started_at: now,
      finished_at: null,
    })
    .execute();
  const rows = Array.from({ length: opts.sent + (opts.queued ?? 0) }, (_, i) => ({
    message_id: reportableId(),
    campaign_id: campaignId,
    subject_id: opts.people?.[i] ?? randomUUID(),
    state: i < opts.sent ? ("sent" as const) : ("queued" as const),
    queued_at: now,
    sent_at: i < opts.sent ? now : null,
    header_message_id: `${reportableId()}@mail.test`,
  }));
  if (rows.length > 0) await db.insertInto("campaign_messages").values(rows).execute();
  return {
    campaignId,
    sent: rows.filter((r) => r.state === "sent").map((r) => r.message_id),
    queued: rows.filter((r) => r.state === "queued").map((r) => r.message_id),
  };
}

/**
 * A message id that a report can carry. The card guard refuses any request body holding digits
 * that pass as a card number (src/http/input-guard.ts); canonical UUIDs are taken out before its
 * search (src/crypto/cards.ts), so none of a million random ids was refused, and the check here
 * only keeps that true should the id's form change.
 */
export function reportableId(): string {
  for (;;) {
    const id = randomUUID();
    if (!containsCardNumber(id) && !containsCardNumber(`${id}@mail.test`)) return id;
  }
}
