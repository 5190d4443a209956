import type { Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import { PledgeError } from "../../errors.ts";
import type { Database } from "../../store/database.ts";
import { ORDER_TRANSITIONS, type OrderMove, type OrderStatus } from "./orders.ts";
import { allOrderRows, setOrderStatus, type OrderRow } from "./orders.repository.ts";
import "./orders.events.ts";

/**
 * The one transition of an order, in the caller's transaction and on a row it locked: the move is
 * checked against ORDER_TRANSITIONS, the status set and `order.moved` appended to the audit log.
 * A move the table does not allow is PLEDGE_ORDER_TRANSITION_INVALID, with nothing changed.
 */
export async function transitionOrder(
  trx: Transaction<Database>,
  row: OrderRow,
  action: OrderMove,
  by: { readonly actor: string; readonly now: Date; readonly purpose: string },
): Promise<OrderRow | PledgeError> {
  const { from, to } = ORDER_TRANSITIONS[action];
  if (!(from as readonly OrderStatus[]).includes(row.status)) {
    return new PledgeError(
      "PLEDGE_ORDER_TRANSITION_INVALID",
      `a ${row.status} order cannot ${action} (it can from ${from.join(", ")})`,
    );
  }
  const moved = await setOrderStatus(trx, row, to);
  await appendAudit(trx, [
    {
      type: "order.moved",
      at: by.now,
      actor: by.actor,
      subjectId: row.subject_id,
      payload: { move: action, from: row.status, to, version: moved.version, purpose: by.purpose },
    },
  ]);
  return moved;
}

/** Cancels every placed order of a person (a rejected fraud hold); returns how many. */
export async function cancelPlacedOrders(
  trx: Transaction<Database>,
  subjectId: string,
  by: { readonly actor: string; readonly now: Date; readonly purpose: string },
): Promise<number> {
  let cancelled = 0;
  for (const row of await allOrderRows(trx, subjectId)) {
    if (row.status !== "placed") continue;
    const moved = await transitionOrder(trx, row, "cancel", by);
    if (!(moved instanceof PledgeError)) cancelled += 1;
  }
  return cancelled;
}
