import type { ColumnType } from "kysely";
import type { Channel } from "../../policy/schema.ts";

/**
 * `unsubscribe_keys`: the HMAC-SHA256 key that signs unsubscribe tokens (base64url), one row per
 * key id, made on first use. Created by src/store/migrations/2026112203_unsubscribe.ts.
 */
export interface UnsubscribeKeysTable {
  key_id: string;
  secret: string;
  created_at: ColumnType<Date, Date | string, never>;
}

/**
 * `unsubscribe_tokens`: what one link stands for. `address_index` is the blind index of the
 * address the message went to (null when the subject had none); `used_at` is set by the first
 * opt-out through the token, which makes a repeated POST a no-op.
 */
export interface UnsubscribeTokensTable {
  token_id: string;
  subject_id: string;
  campaign_id: string | null;
  channel: Channel;
  purpose: string;
  topic: string | null;
  address_index: string | null;
  created_at: ColumnType<Date, Date | string, never>;
  expires_at: ColumnType<Date, Date | string, never>;
  used_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  used_by: string | null;
}

export interface UnsubscribeTables {
  unsubscribe_keys: UnsubscribeKeysTable;
  unsubscribe_tokens: UnsubscribeTokensTable;
}
