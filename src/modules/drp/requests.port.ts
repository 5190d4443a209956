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
 * root hands on the service's `onChange` (after commit, every change of any request).
 */
export function agentRequestsOf(
  deps: RequestsDeps,
  listen: (listener: (requestId: string) => void) => void,
): AgentRequests {
  return {
    async submit(agentId, input) {
      const received = await receiveRequest(deps, agentActing(agentId), input);
      if (!received.ok) {
        if (received.kind === "error") throw received.error;
        throw new Error(`receiving an agent's request was refused: ${received.kind}`);
      }
      return received.value.request;
    },
    async status(_agentId, id) {
      return viewOnly(await readRequest(deps, id));
    },
    async revoke(agentId, id) {
      // The person's reason is not kept: the request model records who revoked it, and when.
      const now = await readRequest(deps, id);
      if (now === null) return null;
      if (!isOpen(now.state)) return viewOnly(now);
      return moveRequest(deps, agentActing(agentId), id, { to: "revoked" });
    },
    onChange: listen,
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
