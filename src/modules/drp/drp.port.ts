import type { Kysely, Transaction } from "kysely";
import type { SubjectCipher } from "../../crypto/vault.types.ts";
import type { Database } from "../../store/database.ts";
import type { NewRequest, RequestView } from "../requests/requests.ts";

/**
 * Pledge's rights requests as the DRP routes use them: the port the request service is reached
 * through. Each call acts as the agent (`{ actor: { kind: "agent", id }, attested: true }`).
 * `submit` and `revoke` write in the caller's transaction, so the protocol's own rows (the
 * replay guard's, the agent's request) commit with the request or not at all; they tell no
 * listener: the caller calls `received` or `changed` once its transaction has committed.
 */
export interface AgentRequests {
  /** Receives a new request from `agentId`, in `trx`. */
  submit(trx: Transaction<Database>, agentId: string, input: NewRequest): Promise<RequestView>;
  /** The request, or null when there is none with this id. */
  status(agentId: string, id: string): Promise<RequestView | null>;
  /**
   * Moves the request to `revoked`, in `trx`; a closed request stays as it is (`moved: false`).
   * Null when there is none.
   */
  revoke(
    trx: Transaction<Database>,
    agentId: string,
    id: string,
  ): Promise<{ view: RequestView; moved: boolean } | null>;
  /**
   * Tells the request service's listeners of a request `submit` made (its notices), once the
   * caller has committed; not the `onChange` listeners: the agent has the request's first status
   * in the answer, and does not know its id before that answer.
   */
  received(requestId: string): void;
  /** Tells every listener, `onChange`'s too, of a change the caller committed. */
  changed(requestId: string): void;
  /**
   * The cipher the request's own values are sealed under (its data key), for what the protocol
   * keeps of the person's words with it; null when there is no such request or its key was
   * destroyed.
   */
  cipherOf(db: Kysely<Database>, requestId: string): Promise<SubjectCipher | null>;
  /** Calls `listener` with the request's id after each committed change of a request. */
  onChange(listener: (requestId: string) => void): void;
}
