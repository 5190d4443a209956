import { randomUUID } from "node:crypto";
import { createSubjectCipher, newDataKey } from "../../src/crypto/cipher.ts";
import type { SubjectCipher } from "../../src/crypto/vault.types.ts";
import type { AgentRequests } from "../../src/modules/drp/drp.port.ts";
import {
  TRANSITIONS,
  type NewRequest,
  type RequestState,
  type RequestView,
} from "../../src/modules/requests/requests.ts";

/** A request view with every field set, for presenter tests. */
export function view(over: Partial<RequestView> = {}): RequestView {
  return {
    id: "3f1c2a4e-1111-4222-8333-444455556666",
    kind: "opt_out_sale",
    state: "received",
    intake: "agent",
    subjectId: null,
    jurisdiction: "US-CA",
    law: "ccpa",
    queue: "privacy",
    receivedAt: "2026-01-02T10:00:00.000Z",
    due: "2026-01-23T07:59:59.999Z",
    dueDate: "2026-01-22",
    acknowledgeBy: null,
    overdue: false,
    daysLeft: 21,
    extended: false,
    denialReason: null,
    assignee: null,
    paused: false,
    extensionReason: null,
    agentId: "TEST_AGENT_1",
    agentRequestId: "agent-req-1",
    closedAt: null,
    version: 1,
    ...over,
  };
}

/**
 * Rights requests in memory, behind the port the DRP routes use: enough of the request model
 * (its transition table, due in 45 days) to drive the protocol end to end. `inputs` keeps what
 * each submit was given; `move` plays staff working a request.
 */
export class MemoryRequests implements AgentRequests {
  readonly inputs: NewRequest[] = [];
  private readonly views = new Map<string, RequestView>();
  /** Each request's own data key, as the request service makes one. */
  readonly ciphers = new Map<string, SubjectCipher>();
  private readonly listeners: ((requestId: string) => void)[] = [];

  constructor(private readonly clock: () => Date = () => new Date()) {}

  async submit(_trx: unknown, agentId: string, input: NewRequest): Promise<RequestView> {
    this.inputs.push(input);
    const now = this.clock();
    const v = view({
      id: randomUUID(),
      kind: input.kind,
      jurisdiction: input.jurisdiction ?? null,
      receivedAt: now.toISOString(),
      due: new Date(now.getTime() + 45 * 86_400_000).toISOString(),
      agentId,
      agentRequestId: input.agent?.requestId ?? null,
    });
    this.views.set(v.id, v);
    this.ciphers.set(v.id, createSubjectCipher(v.id, newDataKey()));
    return Promise.resolve(v);
  }

  async status(_agentId: string, id: string): Promise<RequestView | null> {
    return Promise.resolve(this.views.get(id) ?? null);
  }

  async revoke(
    _trx: unknown,
    _agentId: string,
    id: string,
  ): Promise<{ view: RequestView; moved: boolean } | null> {
    const v = this.views.get(id);
    if (v === undefined) return null;
    if (!TRANSITIONS[v.state].includes("revoked")) return { view: v, moved: false };
    return { view: this.moveQuietly(id, "revoked"), moved: true };
  }

  /** Nothing listens for new requests here but the status callbacks, which are not told. */
  received(_requestId: string): void {}

  changed(requestId: string): void {
    for (const listener of this.listeners) listener(requestId);
  }

  async cipherOf(_db: unknown, requestId: string): Promise<SubjectCipher | null> {
    return Promise.resolve(this.ciphers.get(requestId) ?? null);
  }

  onChange(listener: (requestId: string) => void): void {
    this.listeners.push(listener);
  }

  /** Moves a request along the transition table and tells the listeners. */
  async move(id: string, to: RequestState): Promise<RequestView> {
    const moved = this.moveQuietly(id, to);
    this.changed(id);
    return Promise.resolve(moved);
  }

  private moveQuietly(id: string, to: RequestState): RequestView {
    const v = this.views.get(id);
    if (v === undefined || !TRANSITIONS[v.state].includes(to)) throw new Error(`cannot move ${id} to ${to}`);
    const closed = TRANSITIONS[to].length === 0;
    const moved: RequestView = {
      ...v,
      state: to,
      version: v.version + 1,
      ...(closed ? { closedAt: this.clock().toISOString(), due: null, dueDate: null, daysLeft: null } : {}),
    };
    this.views.set(id, moved);
    return moved;
  }
}
