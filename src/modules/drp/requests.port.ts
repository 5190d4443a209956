import type { Acting } from "../../use/acting.ts";
import { moveRequestIn, readRequest } from "../requests/requests.queue.ts";
import type { RequestsDeps } from "../requests/requests.service.ts";
import { receiveRequestIn } from "../requests/requests.service.ts";
import { isOpen, type RequestView } from "../requests/requests.ts";
import type { AgentRequests } from "./drp.port.ts";

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
      return (await receiveRequestIn(trx, deps, agentActing(agentId), input)).request;
    },
    async status(_agentId, id) {
      return viewOnly(await readRequest(deps, id));
    },
    async revoke(trx, agentId, id) {
      const now = await readRequest({ ...deps, db: trx }, id);
      if (now === null) return null;
      if (!isOpen(now.state)) return { view: viewOnly(now)!, moved: false };
      return {
        view: await moveRequestIn(trx, deps, agentActing(agentId), id, { to: "revoked" }),
        moved: true,
      };
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

/** The view's own fields, without the detail's history and result. */
function viewOnly(
  detail: (RequestView & { history?: unknown; result?: unknown }) | null,
): RequestView | null {
  if (detail === null) return null;
  const { history: _history, result: _result, ...view } = detail;
  return view;
}
