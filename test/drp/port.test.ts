import { describe, expect, it } from "vitest";
import { agentRequestsOf } from "../../src/modules/drp/requests.port.ts";
import type { RequestsDeps } from "../../src/modules/requests/requests.service.ts";

/** The DRP side's port over the request service: who is told of which change. */
describe("agentRequestsOf", () => {
  it("a new request is told to the service's listeners (notices), not to the DRP ones (status callbacks); a change to both", () => {
    const told: string[] = [];
    const listeners: ((id: string) => void)[] = [];
    const deps = {
      onChange: (id: string) => {
        told.push(id);
        for (const listener of listeners) listener(id);
      },
    } as unknown as RequestsDeps;
    const port = agentRequestsOf(deps, (listener) => listeners.push(listener));
    const calledBack: string[] = [];
    port.onChange((id) => calledBack.push(id));
    port.received("new-one");
    port.changed("moved-one");
    expect(told).toEqual(["new-one", "moved-one"]);
    expect(calledBack).toEqual(["moved-one"]);
  });
});
