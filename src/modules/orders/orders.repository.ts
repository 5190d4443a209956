import type { Kysely, Selectable, Transaction } from "kysely";
import type { Database } from "../../store/database.ts";
import type { OrdersTable } from "./orders.table.ts";

/** SQL for orders only. Values arrive encrypted; nothing here sees plaintext. */

export type OrderRow = Selectable<OrdersTable>;

/** Inserts the order; false when the subject already has an order with that id. */
export async function insertOrder(
  trx: Transaction<Database>,
  row: Omit<OrderRow, "version">,
): Promise<boolean> {
  const result = await trx
    .insertInto("orders")
    .values({ ...row, version: 1 })
    .onConflict((oc) => oc.columns(["subject_id", "order_id"]).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** The order, locked for the rest of the transaction; undefined when the subject has none by that id. */
export async function orderForUpdate(
  trx: Transaction<Database>,
  subjectId: string,
  orderId: string,
): Promise<OrderRow | undefined> {
  return trx
    .selectFrom("orders")
    .selectAll()
    .where("subject_id", "=", subjectId)
    .where("order_id", "=", orderId)
    .forUpdate()
    .executeTakeFirst();
}

/** Sets the status of a locked order still in `row.status` and bumps its version. */
export async function setOrderStatus(
  trx: Transaction<Database>,
  row: OrderRow,
  status: OrderRow["status"],
): Promise<OrderRow> {
  return trx
    .updateTable("orders")
    .set({ status, version: row.version + 1 })
    .where("subject_id", "=", row.subject_id)
    .where("order_id", "=", row.order_id)
    .where("status", "=", row.status)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listOrderRows(
  db: Kysely<Database>,
  subjectId: string,
  opts: { after: string | null; limit: number; status?: OrderRow["status"] },
): Promise<OrderRow[]> {
  let q = db.selectFrom("orders").selectAll().where("subject_id", "=", subjectId);
  if (opts.after !== null) q = q.where("order_id", ">", opts.after);
  if (opts.status !== undefined) q = q.where("status", "=", opts.status);
  return q
    .orderBy("order_id")
    .limit(opts.limit + 1)
    .execute();
}

export async function allOrderRows(db: Kysely<Database>, subjectId: string): Promise<OrderRow[]> {
  return db
    .selectFrom("orders")
    .selectAll()
    .where("subject_id", "=", subjectId)
    .orderBy("order_id")
    .execute();
}

export async function countOrders(db: Kysely<Database>, subjectId: string): Promise<number> {
  const row = await db
    .selectFrom("orders")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("subject_id", "=", subjectId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
