import { sql, type Kysely, type Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import { PledgeError } from "../../errors.ts";
import { staleVersion } from "../../use/refusal.ts";
import type { Database } from "../../store/database.ts";
import { auditActor, type Acting } from "../../use/acting.ts";
import { fulfilAndClose } from "./requests.fulfil.ts";
import type { RequestsDeps } from "./requests.deps.ts";
import { mayHandleQueue } from "./requests.match.ts";
import { openedValues } from "./requests.values.ts";
import {
  isOpen,
  type RequestDetail,
  type RequestKind,
  type RequestState,
  type RequestView,
} from "./requests.ts";
import { transition, type Move, type RequestRow } from "./requests.transition.ts";
import { viewOf } from "./requests.view.ts";

/**
 * The staff queue: requests by due date (open ones first, the most urgent first), filtered by
 * kind, state, jurisdiction, queue and due date; one request with its history; a move, checked
 * with the version the caller saw; an assignment. A queue named after a team is worked by that
 * team or admin (mayHandleQueue). No answer carries a personal value.
 */
export interface QueueFilter {
  readonly kind?: RequestKind;
  /**
   * A state, `open` (every open state: the default), `overdue` (open and past due), or `all`.
   * Open requests are read in due order from their own index.
   */
  readonly state?: RequestState | "open" | "overdue" | "all";
  readonly jurisdiction?: string;
  readonly queue?: string;
  /** Open requests due before this instant. */
  readonly dueBefore?: Date;
  readonly subjectId?: string;
  readonly agentId?: string;
}

export interface QueuePage {
  readonly requests: readonly RequestView[];
  /** The cursor of the next page: the last request's due date and id. */
  readonly next: { readonly due: string; readonly id: string } | null;
}

/** Where closed requests (no due date) sort: after every open one. */
const CLOSED_DUE = new Date("9999-12-31T00:00:00.000Z");

export async function listRequests(
  deps: Pick<RequestsDeps, "db" | "policies" | "clock">,
  filter: QueueFilter,
  page: { readonly limit: number; readonly after?: { readonly due: string; readonly id: string } },
): Promise<QueuePage> {
  const now = deps.clock();
  const pack = deps.policies.at(now.toISOString()).pack;
  const state = filter.state ?? "open";
  // Only open requests have a due date: read in due order, they walk the partial index
  // rights_requests_open_due; a list that may hold closed ones sorts those after, by id.
  const open = state === "open" || state === "overdue" || (state !== "all" && isOpen(state));
  let q = deps.db.selectFrom("rights_requests").selectAll();
  if (open) q = q.where("closed_at", "is", null);
  if (state === "overdue") q = q.where("due_at", "<", now);
  if (state !== "open" && state !== "overdue" && state !== "all") q = q.where("state", "=", state);
  if (filter.kind !== undefined) q = q.where("kind", "=", filter.kind);
  if (filter.jurisdiction !== undefined) q = q.where("jurisdiction", "=", filter.jurisdiction);
  if (filter.queue !== undefined) q = q.where("queue", "=", filter.queue);
  if (filter.dueBefore !== undefined) q = q.where("due_at", "<", filter.dueBefore);
  if (filter.subjectId !== undefined) q = q.where("subject_id", "=", filter.subjectId);
  if (filter.agentId !== undefined) q = q.where("agent_id", "=", filter.agentId);
  const dueKey = open ? sql<Date>`due_at` : sql<Date>`coalesce(due_at, ${CLOSED_DUE}::timestamptz)`;
  if (page.after !== undefined) {
    const { due, id } = page.after;
    q = q.where(sql<boolean>`(${dueKey}, request_id) > (${new Date(due)}::timestamptz, ${id}::uuid)`);
  }
  const rows = await q
    .orderBy(dueKey)
    .orderBy("request_id")
    .limit(page.limit + 1)
    .execute();
  const shown = rows.slice(0, page.limit);
  const last = shown.at(-1);
  return {
    requests: shown.map((r) => viewOf(pack, r, now)),
    next:
      rows.length > page.limit && last !== undefined
        ? {
            due: (last.due_at === null ? CLOSED_DUE : new Date(last.due_at)).toISOString(),
            id: last.request_id,
          }
        : null,
  };
}

export async function readRequest(
  deps: Pick<RequestsDeps, "db" | "policies" | "clock">,
  id: string,
): Promise<RequestDetail | null> {
  const now = deps.clock();
  const pack = deps.policies.at(now.toISOString()).pack;
  const row = await deps.db
    .selectFrom("rights_requests")
    .selectAll()
    .where("request_id", "=", id)
    .executeTakeFirst();
  if (row === undefined) return null;
  const moves = await deps.db
    .selectFrom("rights_request_moves")
    .selectAll()
    .where("request_id", "=", id)
    .orderBy("seq")
    .execute();
  return {
    ...viewOf(pack, row, now),
    history: moves.map((m) => ({
      from: m.from_state,
      to: m.to_state,
      actor: m.actor,
      at: new Date(m.at).toISOString(),
      reason: m.reason,
    })),
    result: row.result === null ? null : (JSON.parse(row.result) as Record<string, unknown>),
  };
}

/**
 * Moves a request. A move to `fulfilled` does the request's work first (requests.fulfil.ts) and
 * closes it as the work says. `expectedVersion` is the version the caller saw (If-Match).
 */
export async function moveRequest(
  deps: RequestsDeps,
  acting: Acting,
  id: string,
  move: Move,
  expectedVersion?: number,
): Promise<RequestView> {
  const view = await deps.db
    .transaction()
    .execute((trx) => moveRequestIn(trx, deps, acting, id, move, expectedVersion));
  deps.onChange?.(id);
  return view;
}

/** `moveRequest` in the caller's transaction; the caller tells `deps.onChange` once it commits. */
export async function moveRequestIn(
  trx: Transaction<Database>,
  deps: RequestsDeps,
  acting: Acting,
  id: string,
  move: Move,
  expectedVersion?: number,
): Promise<RequestView> {
  const now = deps.clock();
  const pack = deps.policies.at(now.toISOString()).pack;
  const actor = auditActor(acting.actor);
  const row = await lockedRow(trx, id);
  if (acting.actor.kind === "staff") mayHandleQueue(pack, acting.actor.role ?? "", row.queue);
  if (expectedVersion !== undefined && row.version !== expectedVersion) throw staleVersion(row.version);
  if (row.kind === "complaint" && !isOpen(move.to)) {
    throw new PledgeError(
      "PLEDGE_REQUEST_TRANSITION_INVALID",
      `a complaint is closed with its note at PATCH /v1/privacy-complaints/${id}`,
    );
  }
  if (move.to === "fulfilled" && isOpen(row.state)) {
    if (row.subject_id === null && row.kind !== "list_removal") {
      throw new PledgeError(
        "PLEDGE_REQUEST_TRANSITION_INVALID",
        "the request has no verified person to act on",
      );
    }
    const opened = await openedValues(trx, deps.vault, row);
    const closed = await fulfilAndClose(trx, deps, acting, pack, row, opened?.details ?? {}, actor, now);
    return viewOf(pack, closed, now);
  }
  return viewOf(pack, await transition(trx, pack, row, move, actor, now), now);
}

/** Gives the request to a staff member (null: to nobody). Audited; the version moves on. */
export async function assignRequest(
  deps: Pick<RequestsDeps, "db" | "policies" | "clock">,
  acting: Acting,
  id: string,
  assignee: string | null,
  expectedVersion?: number,
): Promise<RequestView> {
  const now = deps.clock();
  const pack = deps.policies.at(now.toISOString()).pack;
  return deps.db.transaction().execute(async (trx) => {
    const row = await lockedRow(trx, id);
    if (acting.actor.kind === "staff") mayHandleQueue(pack, acting.actor.role ?? "", row.queue);
    if (expectedVersion !== undefined && row.version !== expectedVersion) throw staleVersion(row.version);
    const version = row.version + 1;
    await trx
      .updateTable("rights_requests")
      .set({ assignee, version, updated_at: now })
      .where("request_id", "=", id)
      .execute();
    await appendAudit(trx, [
      {
        type: "request.assigned",
        at: now,
        actor: auditActor(acting.actor),
        subjectId: row.subject_id,
        payload: { requestId: id, assignee },
      },
    ]);
    return viewOf(pack, { ...row, assignee, version, updated_at: now }, now);
  });
}

async function lockedRow(trx: Kysely<Database>, id: string): Promise<RequestRow> {
  const row = await trx
    .selectFrom("rights_requests")
    .selectAll()
    .where("request_id", "=", id)
    .forUpdate()
    .executeTakeFirst();
  if (row === undefined) throw new PledgeError("PLEDGE_NOT_FOUND", `no rights request ${id}`);
  return row;
}

/** Open requests by kind, overdue or not at `now` (the metrics). */
export async function openRequests(
  db: Kysely<Database>,
  now: Date,
): Promise<{ kind: RequestKind; overdue: boolean; n: number }[]> {
  const rows = await db
    .selectFrom("rights_requests")
    .select([
      "kind",
      sql<string>`count(*)`.as("open"),
      sql<string>`count(*) filter (where due_at < ${now})`.as("late"),
    ])
    .where("closed_at", "is", null)
    .groupBy("kind")
    .execute();
  return rows.flatMap((r) => [
    { kind: r.kind, overdue: false, n: Number(r.open) - Number(r.late) },
    { kind: r.kind, overdue: true, n: Number(r.late) },
  ]);
}
