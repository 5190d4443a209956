import { randomUUID } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import type { Database } from "../../store/database.ts";
import type { Channel } from "../../policy/schema.ts";
import type { Caller } from "../staff/staff.ts";
import { inUse, notFound, refused, type Outcome, type RecordsDeps } from "../orders/gated-use.ts";
import { afterOf, pageOf, provenanceOf, type Page } from "../orders/records.ts";
import type { CommunicationsTable } from "./communications.table.ts";
import type {
  Direction,
  MessageMetadata,
  NewMessage,
  OpenedMessage,
  OpenRequest,
  StoredMessage,
} from "./communications.ts";
import "./communications.events.ts";

type MessageRow = Selectable<CommunicationsTable>;

/**
 * Stores a message being carried: a `collect` use of metadata and content for the purpose (ZZ-03).
 * Answers with the id and provenance only (the answer may be stored for Idempotency-Key replays).
 */
export async function storeMessage(
  deps: RecordsDeps,
  caller: Caller,
  subjectId: string,
  input: NewMessage,
): Promise<Outcome<StoredMessage>> {
  const use = {
    action: "collect",
    purpose: input.purpose,
    fields: ["message_metadata", "message_content"],
  } as const;
  return inUse(deps, caller, subjectId, use, async (trx, granted, cipher) => {
    const row: MessageRow = {
      subject_id: subjectId,
      message_id: randomUUID(),
      direction: input.direction,
      channel: input.channel,
      size_bytes: Buffer.byteLength(input.content, "utf8"),
      content_enc: cipher.encrypt("message_content", input.content),
      collection_point: input.collectionPoint,
      purpose: input.purpose,
      policy_version: granted.policyVersion,
      at: granted.at,
    };
    await trx.insertInto("communications").values(row).execute();
    return { ok: true, value: { messageId: row.message_id, provenance: provenanceOf(row) } };
  });
}

/** Lists metadata only (never content), for a purpose that allows `message_metadata`. */
export async function listMessages(
  deps: RecordsDeps,
  caller: Caller,
  subjectId: string,
  query: { purpose: string; channel?: Channel; direction?: Direction; limit: number; cursor?: string },
): Promise<Outcome<Page<MessageMetadata>>> {
  const after = afterOf(query.cursor);
  const use = { action: "read", purpose: query.purpose, fields: ["message_metadata"] } as const;
  return inUse(deps, caller, subjectId, use, async (trx) => {
    let q = trx.selectFrom("communications").selectAll().where("subject_id", "=", subjectId);
    if (after !== null) q = q.where("message_id", ">", after);
    if (query.channel !== undefined) q = q.where("channel", "=", query.channel);
    if (query.direction !== undefined) q = q.where("direction", "=", query.direction);
    const rows = await q
      .orderBy("message_id")
      .limit(query.limit + 1)
      .execute();
    return { ok: true, value: pageOf(rows, query.limit, (r) => r.message_id, metadataOf) };
  });
}

/**
 * Opens the content of ONE message: an `open_content` use with a ground and a case id, which the
 * gate checks against the pack's content grounds and case rule (ZZ-11, ZZ-12). The opening is
 * audited with the ground and case, in the transaction that reads the content.
 */
export async function openMessage(
  deps: RecordsDeps,
  caller: Caller,
  subjectId: string,
  messageId: string,
  input: OpenRequest,
): Promise<Outcome<OpenedMessage>> {
  const use = {
    action: "open_content",
    purpose: input.purpose,
    fields: ["message_content"],
    ground: input.ground,
    ...(input.caseId === undefined ? {} : { caseId: input.caseId }),
  } as const;
  return inUse(deps, caller, subjectId, use, async (trx, granted, cipher) => {
    const row = await trx
      .selectFrom("communications")
      .selectAll()
      .where("subject_id", "=", subjectId)
      .where("message_id", "=", messageId)
      .executeTakeFirst();
    if (row === undefined) return refused(notFound());
    await appendAudit(trx, [
      {
        type: "communication.opened",
        at: granted.at,
        actor: `staff:${caller.staffId}`,
        subjectId,
        payload: { messageId, purpose: input.purpose, ground: input.ground, caseId: input.caseId ?? null },
      },
    ]);
    const content = cipher.decrypt("message_content", row.content_enc);
    return {
      ok: true,
      value: { ...metadataOf(row), content, ground: input.ground, caseId: input.caseId ?? null },
    };
  });
}

export async function allMessages(db: Kysely<Database>, subjectId: string): Promise<MessageRow[]> {
  return db
    .selectFrom("communications")
    .selectAll()
    .where("subject_id", "=", subjectId)
    .orderBy("at")
    .execute();
}

export function metadataOf(row: MessageRow): MessageMetadata {
  return {
    messageId: row.message_id,
    direction: row.direction,
    channel: row.channel,
    at: row.at.toISOString(),
    sizeBytes: row.size_bytes,
    provenance: provenanceOf(row),
  };
}
