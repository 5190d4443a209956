import type { ColumnType } from "kysely";
import type { AgentStatus } from "./drp.ts";

type Fixed<T> = ColumnType<T, T, never>;

/**
 * The authorised agents this business takes DRP requests from, as staff registered them from the
 * service directory. `verify_key` is the Ed25519 key's 32 raw bytes in base64. A disabled agent
 * is kept (its requests still name it) but can neither set up a token nor use one.
 */
export interface DrpAgentsTable {
  agent_id: Fixed<string>;
  name: string;
  verify_key: string;
  web_url: string | null;
  status: AgentStatus;
  created_at: Fixed<Date>;
  disabled_at: ColumnType<Date | null, Date | null, Date>;
}

/** Pair-wise bearer tokens: only the hex SHA-256 of each, so the table holds no usable token. */
export interface DrpAgentTokensTable {
  token_hash: Fixed<string>;
  agent_id: Fixed<string>;
  issued_at: Fixed<Date>;
}

/** Accepted exercise envelopes (SHA-256 of the signed JSON), kept until they expire: replay guard. */
export interface DrpEnvelopesTable {
  digest: Fixed<string>;
  agent_id: Fixed<string>;
  expires_at: Fixed<Date>;
}

/**
 * Every request an agent submitted: whose it is, where its status goes, and, for an action this
 * business does not cover, the exercise refused (no rights request exists for it then).
 * `revoke_reason_enc` is the reason the person gave when their agent revoked the request, free
 * text sealed under the request's data key (field `drp.<request_id>.revoke_reason`): erasing what
 * the request holds shreds it too.
 */
export interface DrpRequestsTable {
  request_id: Fixed<string>;
  agent_id: Fixed<string>;
  agent_request_id: Fixed<string | null>;
  status_callback: Fixed<string | null>;
  exercise: Fixed<string>;
  not_covered: Fixed<boolean>;
  received_at: Fixed<Date>;
  revoke_reason_enc: ColumnType<string | null, never, string>;
}

export interface DrpTables {
  drp_agents: DrpAgentsTable;
  drp_agent_tokens: DrpAgentTokensTable;
  drp_envelopes: DrpEnvelopesTable;
  drp_requests: DrpRequestsTable;
}
