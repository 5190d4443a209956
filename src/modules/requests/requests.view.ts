import type { PolicyPack } from "../../policy/schema.ts";
import { clockOf, timeLeft } from "./requests.clock.ts";
import { isOpen, type RequestView } from "./requests.ts";
import type { RequestRow } from "./requests.transition.ts";

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

/**
 * A request as the queue shows it, every field listed: ids, kind, state, clock; no personal
 * value. The clock is read at `now` (a running pause moves the due date while it lasts).
 */
export function viewOf(pack: PolicyPack, row: RequestRow, now: Date): RequestView {
  const open = isOpen(row.state);
  const clock = open
    ? clockOf(
        pack,
        {
          kind: row.kind,
          law: row.law,
          jurisdiction: row.jurisdiction,
          receivedAt: new Date(row.received_at),
          extended: row.extended_at !== null,
          pausedMs: Number(row.paused_ms),
          pausedSince: row.paused_since === null ? null : new Date(row.paused_since),
        },
        now,
      )
    : null;
  const left = clock === null ? null : timeLeft(clock.due, now);
  return {
    id: row.request_id,
    kind: row.kind,
    state: row.state,
    intake: row.intake,
    subjectId: row.subject_id,
    jurisdiction: row.jurisdiction,
    law: row.law,
    queue: row.queue,
    receivedAt: new Date(row.received_at).toISOString(),
    due: clock === null ? null : clock.due.toISOString(),
    dueDate: clock?.dueDate ?? null,
    acknowledgeBy: iso(clock?.acknowledgeBy ?? null),
    overdue: left?.overdue ?? false,
    daysLeft: left === null ? null : left.days,
    paused: clock?.paused ?? false,
    extended: row.extended_at !== null,
    extensionReason: row.extension_reason,
    denialReason: row.denial_reason,
    assignee: row.assignee,
    agentId: row.agent_id,
    agentRequestId: row.agent_request_id,
    closedAt: iso(row.closed_at),
    version: row.version,
  };
}
