import type { Kysely } from "kysely";
import type { MailConfig } from "../../config.ts";
import { identityKindOf } from "../../gate/facts.table.ts";
import type { Channel } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { issueToken } from "./tokens.ts";

export interface LinkInput {
  readonly subjectId: string;
  readonly campaignId: string | null;
  readonly channel: Channel;
  /** The purpose the message is sent under; withdrawn by the link when there is no topic. */
  readonly purpose: string;
  /** The topic of the message, withdrawn by the link; null: the purpose is. */
  readonly topic: string | null;
  /** The blind index of the address the message goes to; default: the subject's primary one. */
  readonly addressIndex?: string | null;
}

/**
 * The two URIs of `List-Unsubscribe` for one message: `https://<public>/u/<token>` (RFC 8058
 * one-click, and the page a person opens from the body) and `mailto:<mailbox>?subject=unsubscribe-<token>`.
 * Neither names the address or the subject.
 */
export async function unsubscribeLinks(
  db: Kysely<Database>,
  mail: MailConfig,
  input: LinkInput,
  now: Date = new Date(),
): Promise<{ url: string; mailto: string }> {
  const addressIndex =
    input.addressIndex !== undefined
      ? input.addressIndex
      : await primaryIndex(db, input.subjectId, input.channel);
  const token = await issueToken(
    db,
    {
      subjectId: input.subjectId,
      campaignId: input.campaignId,
      channel: input.channel,
      purpose: input.purpose,
      topic: input.topic,
      addressIndex,
    },
    now,
  );
  return {
    url: `${mail.publicUrl}/u/${token}`,
    mailto: `mailto:${mail.unsubscribeMailto}?subject=unsubscribe-${token}`,
  };
}

async function primaryIndex(
  db: Kysely<Database>,
  subjectId: string,
  channel: Channel,
): Promise<string | null> {
  const row = await db
    .selectFrom("subject_identities")
    .select("blind_index")
    .where("subject_id", "=", subjectId)
    .where("kind", "=", identityKindOf(channel))
    .orderBy("is_primary", "desc")
    .orderBy("created_at")
    .executeTakeFirst();
  return row?.blind_index ?? null;
}
