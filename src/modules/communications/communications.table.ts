import type { ColumnType } from "kysely";
import type { Channel } from "../../policy/schema.ts";

type Fixed<T> = ColumnType<T, T, never>;

/**
 * A message carried for the subject (ZZ-03): metadata in clear (direction, channel, time, size:
 * the field `message_metadata`), the content as ciphertext (`message_content`), opened only on a
 * ground and a case (ZZ-11, ZZ-12).
 */
export interface CommunicationsTable {
  subject_id: Fixed<string>;
  message_id: Fixed<string>;
  direction: Fixed<"inbound" | "outbound">;
  channel: Fixed<Channel>;
  size_bytes: Fixed<number>;
  content_enc: Fixed<string>;
  collection_point: Fixed<string>;
  purpose: Fixed<string>;
  policy_version: Fixed<string>;
  at: Fixed<Date>;
}

export interface CommunicationTables {
  communications: CommunicationsTable;
}
