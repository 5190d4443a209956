import type { Kysely, Transaction, TransactionBuilder } from "kysely";
import type { Database } from "../../store/database.ts";
import type { Acting } from "../../use/acting.ts";
import { moveRequest, readRequest } from "../requests/requests.queue.ts";
import type { RequestsDeps } from "../requests/requests.service.ts";
import { receiveRequest } from "../requests/requests.service.ts";
import { isOpen, type RequestView } from "../requests/requests.ts";
import type { AgentRequests } from "./drp.ts";

/** An authorised agent acting through the protocol: attested by its signature and the network's rules. */
export function agentActing(agentId: string): Acting {
  return { actor: { kind: "agent", id: agentId }, attested: true };
}

/**
 * The DRP routes' port over Pledge's rights-request service. `listen` is where the composition
 * root hands on the service's `onChange` (after commit, every change of any request); `received`
 * and `changed` call that same hook, for the changes made in a DRP caller's transaction.
 */
export function agentRequestsOf(
  deps: RequestsDeps,
  listen: (listener: (requestId: string) => void) => void,
): AgentRequests {
  // Ids being told of while the DRP listeners are to stay quiet (the listeners are called
  // synchronously, within `deps.onChange`).
  const quiet = new Set<string>();
  return {
    async submit(trx, agentId, input) {
      const received = await receiveRequest(joined(deps, trx), agentActing(agentId), input);
      if (!received.ok) {
        if (received.kind === "error") throw received.error;
        throw new Error(`receiving an agent's request was refused: ${received.kind}`);
      }
      return received.value.request;
    },
    async status(_agentId, id) {
      return viewOnly(await readRequest(deps, id));
    },
    async revoke(trx, agentId, id) {
      const inTrx = joined(deps, trx);
      const now = await readRequest(inTrx, id);
      if (now === null) return null;
      if (!isOpen(now.state)) return { view: viewOnly(now)!, moved: false };
      return { view: await moveRequest(inTrx, agentActing(agentId), id, { to: "revoked" }), moved: true };
    },
    received(requestId) {
      quiet.add(requestId);
      try {
        deps.onChange?.(requestId);
      } finally {
        quiet.delete(requestId);
      }
    },
    changed(requestId) {
      deps.onChange?.(requestId);
    },
    async cipherOf(db, requestId) {
      // The request keeps the id of the key its values are sealed under (requests.table.ts).
      const row = await db
        .selectFrom("rights_requests")
        .select("key_id")
        .where("request_id", "=", requestId)
        .executeTakeFirst();
      // No key: the request seals nothing (never so for an agent's, which names the person).
      return row?.key_id == null ? null : deps.vault.cipherFor(db, row.key_id);
    },
    onChange(listener) {
      listen((requestId) => {
        if (!quiet.has(requestId)) listener(requestId);
      });
    },
  };
}

/**
 * The request service's deps, joined to the caller's transaction: `receiveRequest` and
 * `moveRequest` each open one transaction on `deps.db` and do all their work in it, so given a db
 * whose `transaction()` runs its callback in `trx`, their writes commit (or roll back) with the
 * caller's. They tell no one of the change (`onChange` is the caller's, after commit).
 *
 * This bridges a gap in the request service, which takes no caller's transaction yet: the
 * service's own `receiveRequestIn(trx, …)` and `moveRequestIn(trx, …)` (as `useIn`,
 * `recordConsentsIn` do) would make it unnecessary. Only for calls whose error ends the caller's
 * transaction too: an inner "transaction" that throws is not rolled back on its own.
 */
function joined(deps: RequestsDeps, trx: Transaction<Database>): RequestsDeps {
  const db: Kysely<Database> = trx.withTables<Record<never, never>>();
  const builder = {
    execute: <T>(work: (t: Transaction<Database>) => Promise<T>) => work(trx),
    setIsolationLevel: () => builder,
    setAccessMode: () => builder,
  };
  Object.defineProperty(db, "transaction", {
    value: () => builder as unknown as TransactionBuilder<Database>,
  });
  const { onChange: _told, ...rest } = deps;
  return { ...rest, db };
}

/** The view's own fields, without the detail's history and result. */
function viewOnly(
  detail: (RequestView & { history?: unknown; result?: unknown }) | null,
): RequestView | null {
  if (detail === null) return null;
  const { history: _history, result: _result, ...view } = detail;
  return view;
}
