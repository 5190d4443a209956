import { PledgeError } from "../../errors.ts";
import { auditActor, type Acting } from "../../use/acting.ts";
import { use } from "../../use/kernel.ts";
import { fail, failWith, ok, type Result } from "../../use/refusal.ts";
import type { FieldView } from "../../use/view.ts";
import { knownFields, type RecordsDeps } from "../records/records.ts";
import {
  ORDER_FIELDS,
  type Money,
  type NewOrder,
  type OrderItem,
  type OrderMoveInput,
  type OrderStatus,
  type OrderView,
} from "./orders.ts";
import { insertOrder, listOrderRows, orderForUpdate, type OrderRow } from "./orders.repository.ts";
import { transitionOrder } from "./orders.moves.ts";
import { holdBlocking, screenOrder } from "../fraud/fraud.service.ts";
import "./orders.events.ts";
import { afterOf, pageOf, provenanceOf, type Page } from "../records/records.ts";

/**
 * Records an order and answers with its id, status, provenance and version (no personal fields).
 * A `collect` use of the order fields for the stated purpose (Z16-03: order fulfilment needs no
 * separate consent, the pack's basis decides). Items and total are stored encrypted, with the
 * collection point, time, purpose and policy version.
 */
export async function createOrder(
  deps: RecordsDeps,
  acting: Acting,
  subjectId: string,
  input: NewOrder,
): Promise<Result<OrderView>> {
  const ask = { action: "collect", purpose: input.purpose, fields: [...ORDER_FIELDS] } as const;
  return use(deps, acting, { subject: subjectId }, ask, async (scope) => {
    const { trx, now, decision, view } = scope;
    // ZM-09: a first order is checked, and a held or rejected customer's order is answered so.
    const screened = await screenOrder(deps, scope, subjectId, input.sourceAddress ?? null);
    if (!screened.ok) return screened;
    const fields = await view();
    const row: Omit<OrderRow, "version"> = {
      subject_id: subjectId,
      order_id: input.orderId,
      status: "placed",
      items_enc: fields.seal("order_items", JSON.stringify(input.items)),
      total_enc: fields.seal("order_total", JSON.stringify(input.total)),
      collection_point: input.collectionPoint,
      purpose: input.purpose,
      policy_version: decision.policy.version,
      created_at: now,
    };
    if (!(await insertOrder(trx, row))) {
      return failWith(
        new PledgeError("PLEDGE_RECORD_EXISTS", "the subject already has an order with this id"),
      );
    }
    // Only ids and provenance come back: the response may be stored for Idempotency-Key replays.
    const hold = screened.value.hold;
    return ok({ ...orderView({ ...row, version: 1 }, null), ...(hold === null ? {} : { fraudHold: hold }) });
  });
}

/**
 * The one way an order's status changes: a `collect` use of `order_id` for the stated purpose,
 * then, in the same transaction, the order is locked, the move checked against ORDER_TRANSITIONS
 * and the version the caller read (`ifMatch`, null: any), the status set and `order.moved`
 * appended to the audit log. A move the table does not allow is PLEDGE_ORDER_TRANSITION_INVALID;
 * an unknown order is the same 404 as an unknown subject; either way nothing changes.
 */
export async function moveOrder(
  deps: RecordsDeps,
  acting: Acting,
  subjectId: string,
  ifMatch: number | null,
  input: OrderMoveInput,
): Promise<Result<OrderView>> {
  const ask = { action: "collect", purpose: input.purpose, fields: ["order_id"] } as const;
  return use(deps, acting, { subject: subjectId }, ask, async ({ trx, now, pack }) => {
    const row = await orderForUpdate(trx, subjectId, input.orderId);
    if (row === undefined) return fail({ kind: "not_found" });
    if (ifMatch !== null && row.version !== ifMatch) return fail({ kind: "stale", version: row.version });
    if (input.action === "fulfil") {
      // ZM-09: nothing is fulfilled for a customer held for verification, or not verified.
      const held = await holdBlocking(trx, pack, subjectId);
      if (held !== null) return failWith(held);
    }
    const moved = await transitionOrder(trx, row, input.action, {
      actor: auditActor(acting.actor),
      now,
      purpose: input.purpose,
    });
    if (moved instanceof PledgeError) return failWith(moved);
    return ok(orderView(moved, null));
  });
}

/** Lists a subject's orders for a purpose: only the fields the gate allowed leave (projection). */
export async function listOrders(
  deps: RecordsDeps,
  acting: Acting,
  subjectId: string,
  query: { purpose: string; status?: OrderStatus; limit: number; cursor?: string },
): Promise<Result<Page<OrderView>>> {
  const after = afterOf(query.cursor);
  const fields = knownFields(deps.policies.at(deps.clock().toISOString()).policy.fieldCategory, ORDER_FIELDS);
  const ask = { action: "read", purpose: query.purpose, fields, projection: true } as const;
  return use(deps, acting, { subject: subjectId }, ask, async ({ trx, view }) => {
    const rows = await listOrderRows(trx, subjectId, { after, limit: query.limit, status: query.status });
    const fieldView = await view();
    return ok(
      pageOf(
        rows,
        query.limit,
        (r) => r.order_id,
        (r) => orderView(r, fieldView),
      ),
    );
  });
}

/**
 * An order as it leaves: each personal field when the view allows it; without a view only the id
 * (an identifier the caller chose), status and provenance.
 */
export function orderView(row: OrderRow, view: FieldView | null): OrderView {
  const allowed = (f: string) => view !== null && view.allows(f);
  return {
    ...(view === null || allowed("order_id") ? { orderId: row.order_id } : {}),
    ...(allowed("order_items")
      ? { items: JSON.parse(view!.open("order_items", row.items_enc)) as OrderItem[] }
      : {}),
    ...(allowed("order_total")
      ? { total: JSON.parse(view!.open("order_total", row.total_enc)) as Money }
      : {}),
    status: row.status,
    createdAt: row.created_at.toISOString(),
    provenance: provenanceOf({ ...row, at: row.created_at }),
    version: row.version,
  };
}
