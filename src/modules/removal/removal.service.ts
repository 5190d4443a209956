import type { Kysely } from "kysely";
import type { PostalAddressInput } from "../../crypto/postal.ts";
import { PledgeError } from "../../errors.ts";
import type { Database } from "../../store/database.ts";
import type { Acting } from "../../use/acting.ts";
import { errorOf } from "../../use/refusal.ts";
import { moveRequest } from "../requests/requests.queue.ts";
import { receiveRequest, type RequestsDeps } from "../requests/requests.service.ts";
import type { RequestState } from "../requests/requests.ts";

/**
 * Removal from marketing, mail and email lists on a request (Z16-14, Z19-06): a rights request of
 * the kind `list_removal`, received by staff on the person's behalf. This module is its route's
 * shape of it (`applied` or `queued`, the queue, how many people it fitted); the request, its
 * clock, its history and its work are the requests module's: a request in the customer service
 * queue is applied at once, one the pack routes elsewhere (Z19-06: the EU's to infosec) waits
 * there, verified, until that team applies it (a move to `fulfilled`).
 */
export interface RemovalInput {
  readonly firstName?: string;
  readonly lastName?: string;
  readonly email?: string;
  readonly postalAddress?: PostalAddressInput;
  readonly zip?: string;
  readonly jurisdiction?: string;
}

/** `applied` once fulfilled, `queued` while open, `closed` when denied, revoked or expired. */
export type RemovalStatus = "applied" | "queued" | "closed";

export interface RemovalOutcome {
  readonly id: string;
  readonly status: RemovalStatus;
  /** The request's state in the one request workflow. */
  readonly state: RequestState;
  readonly queue: string;
  /** Live people it fitted: once applied, those it removed; while queued, 1 or 0 so far. */
  readonly matched: number;
}

export interface QueuedRemoval extends RemovalOutcome {
  readonly receivedAt: string;
  readonly appliedAt: string | null;
}

/** Receives a removal request: applied at once, or queued where its jurisdiction routes it. */
export async function receiveRemoval(
  deps: RequestsDeps,
  acting: Acting,
  input: RemovalInput,
): Promise<RemovalOutcome> {
  const { jurisdiction, ...claimant } = input;
  const received = await receiveRequest(deps, acting, {
    kind: "list_removal",
    intake: "staff",
    claimant,
    ...(jurisdiction === undefined ? {} : { jurisdiction }),
  });
  if (!received.ok) throw errorOf(received);
  return (await removalsWhere(deps.db, { id: received.value.request.id }, 1))[0]!;
}

/** Applies a queued removal (PLEDGE_NOT_FOUND when unknown); an applied one is returned as it is. */
export async function applyRemoval(deps: RequestsDeps, acting: Acting, id: string): Promise<RemovalOutcome> {
  const [found] = await removalsWhere(deps.db, { id }, 1);
  if (found === undefined) throw new PledgeError("PLEDGE_NOT_FOUND", `no removal request ${id}`);
  if (found.status !== "queued") return found;
  await moveRequest(deps, acting, id, { to: "fulfilled" });
  return (await removalsWhere(deps.db, { id }, 1))[0]!;
}

/** The queue a removal waits in; null when there is no such removal. */
export async function queueOfRemoval(db: Kysely<Database>, id: string): Promise<string | null> {
  return (await removalsWhere(db, { id }, 1))[0]?.queue ?? null;
}

/** Removals of a queue, oldest first: ids, status and dates, no personal values. */
export async function listRemovals(
  db: Kysely<Database>,
  queue: string,
  limit: number,
): Promise<QueuedRemoval[]> {
  return removalsWhere(db, { queue }, limit);
}

async function removalsWhere(
  db: Kysely<Database>,
  where: { readonly id?: string; readonly queue?: string },
  limit: number,
): Promise<QueuedRemoval[]> {
  let q = db
    .selectFrom("rights_requests")
    .select(["request_id", "state", "queue", "subject_id", "result", "received_at", "closed_at"])
    .where("kind", "=", "list_removal");
  if (where.id !== undefined) q = q.where("request_id", "=", where.id);
  if (where.queue !== undefined) q = q.where("queue", "=", where.queue);
  const rows = await q.orderBy("received_at").orderBy("request_id").limit(limit).execute();
  return rows.map((r) => {
    const status: RemovalStatus =
      r.state === "fulfilled" ? "applied" : r.closed_at === null ? "queued" : "closed";
    const result = r.result === null ? null : (JSON.parse(r.result) as { matched?: number });
    return {
      id: r.request_id,
      status,
      state: r.state,
      queue: r.queue,
      matched: result?.matched ?? (r.subject_id === null ? 0 : 1),
      receivedAt: new Date(r.received_at).toISOString(),
      appliedAt: status === "applied" && r.closed_at !== null ? new Date(r.closed_at).toISOString() : null,
    };
  });
}
