import { randomUUID } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import type { Database } from "../../store/database.ts";
import type { Channel } from "../../policy/schema.ts";
import { auditActor, type Acting } from "../../use/acting.ts";
import { use } from "../../use/kernel.ts";
import { fail, ok, type Result } from "../../use/refusal.ts";
import { afterOf, pageOf, provenanceOf, type Page, type RecordsDeps } from "../records/records.ts";
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
  acting: Acting,
  subjectId: string,
  input: NewMessage,
): Promise<Result<StoredMessage>> {
  const ask = {
    action: "collect",
    purpose: input.purpose,
    fields: ["message_metadata", "message_content"],
  } as const;
  return use(deps, acting, { subject: subjectId }, ask, async ({ trx, now, decision, view }) => {
    const row: MessageRow = {
      subject_id: subjectId,
      message_id: randomUUID(),
      direction: input.direction,
      channel: input.channel,
      size_bytes: Buffer.byteLength(input.content, "utf8"),
      content_enc: (await view()).seal("message_content", input.content),
      collection_point: input.collectionPoint,
      purpose: input.purpose,
      policy_version: decision.policy.version,
      at: now,
    };
    await trx.insertInto("communications").values(row).execute();
    return ok({ messageId: row.message_id, provenance: provenanceOf(row) });
  });
}

/** Lists metadata only (never content), for a purpose that allows `message_metadata`. */
export async function listMessages(
  deps: RecordsDeps,
  acting: Acting,
  subjectId: string,
  query: { purpose: string; channel?: Channel; direction?: Direction; limit: number; cursor?: string },
): Promise<Result<Page<MessageMetadata>>> {
  const after = afterOf(query.cursor);
  const ask = { action: "read", purpose: query.purpose, fields: ["message_metadata"] } as const;
  return use(deps, acting, { subject: subjectId }, ask, async ({ trx }) => {
    let q = trx.selectFrom("communications").selectAll().where("subject_id", "=", subjectId);
    if (after !== null) q = q.where("message_id", ">", after);
    if (query.channel !== undefined) q = q.where("channel", "=", query.channel);
    if (query.direction !== undefined) q = q.where("direction", "=", query.direction);
    const rows = await q
      .orderBy("message_id")
      .limit(query.limit + 1)
      .execute();
    return ok(pageOf(rows, query.limit, (r) => r.message_id, metadataOf));
  });
}

/**
 * Opens the content of ONE message: an `open_content` use with a ground and a case id, which the
 * gate checks against the pack's content grounds and case rule (ZZ-11, ZZ-12). The opening is
 * audited with the ground and case, in the transaction that reads the content.
 */
export async function openMessage(
  deps: RecordsDeps,
  acting: Acting,
  subjectId: string,
  messageId: string,
  input: OpenRequest,
): Promise<Result<OpenedMessage>> {
  const ask = {
    action: "open_content",
    purpose: input.purpose,
    fields: ["message_content"],
    ground: input.ground,
    ...(input.caseId === undefined ? {} : { caseId: input.caseId }),
  } as const;
  return use(deps, acting, { subject: subjectId }, ask, async (scope) => {
    const row = await scope.trx
      .selectFrom("communications")
      .selectAll()
      .where("subject_id", "=", subjectId)
      .where("message_id", "=", messageId)
      .executeTakeFirst();
    if (row === undefined) return fail({ kind: "not_found" });
    scope.record({
      type: "communication.opened",
      at: scope.now,
      actor: auditActor(acting.actor),
      subjectId,
      payload: { messageId, purpose: input.purpose, ground: input.ground, caseId: input.caseId ?? null },
    });
    const content = (await scope.view()).open("message_content", row.content_enc);
    return ok({ ...metadataOf(row), content, ground: input.ground, caseId: input.caseId ?? null });
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
