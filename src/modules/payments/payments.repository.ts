import type { Kysely, Selectable, Transaction } from "kysely";
import type { Database } from "../../store/database.ts";
import type { PaymentChargesTable, PaymentMethodsTable } from "./payments.table.ts";

/** SQL for payment methods and charges. Token, brand, last four and expiry arrive encrypted. */

export type PaymentMethodRow = Selectable<PaymentMethodsTable>;
export type ChargeRow = Selectable<PaymentChargesTable>;

export async function insertPaymentMethod(
  trx: Transaction<Database>,
  row: Omit<PaymentMethodRow, "version">,
): Promise<void> {
  await trx
    .insertInto("payment_methods")
    .values({ ...row, version: 1 })
    .execute();
}

export async function paymentMethodRow(
  db: Kysely<Database>,
  subjectId: string,
  paymentMethodId: string,
  lock = false,
): Promise<PaymentMethodRow | undefined> {
  const q = db
    .selectFrom("payment_methods")
    .selectAll()
    .where("subject_id", "=", subjectId)
    .where("payment_method_id", "=", paymentMethodId);
  return (lock ? q.forUpdate() : q).executeTakeFirst();
}

export async function setReuseAllowed(
  trx: Transaction<Database>,
  row: PaymentMethodRow,
  reuseAllowed: boolean,
): Promise<PaymentMethodRow> {
  return trx
    .updateTable("payment_methods")
    .set({ reuse_allowed: reuseAllowed, version: row.version + 1 })
    .where("subject_id", "=", row.subject_id)
    .where("payment_method_id", "=", row.payment_method_id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listPaymentMethodRows(
  db: Kysely<Database>,
  subjectId: string,
  opts: { after: string | null; limit: number },
): Promise<PaymentMethodRow[]> {
  let q = db.selectFrom("payment_methods").selectAll().where("subject_id", "=", subjectId);
  if (opts.after !== null) q = q.where("payment_method_id", ">", opts.after);
  return q
    .orderBy("payment_method_id")
    .limit(opts.limit + 1)
    .execute();
}

export async function insertCharge(trx: Transaction<Database>, row: ChargeRow): Promise<void> {
  await trx.insertInto("payment_charges").values(row).execute();
}

export async function chargeRows(db: Kysely<Database>, subjectId: string): Promise<ChargeRow[]> {
  return db
    .selectFrom("payment_charges")
    .selectAll()
    .where("subject_id", "=", subjectId)
    .orderBy("charged_at")
    .orderBy("charge_id")
    .execute();
}

export async function chargeByKey(
  trx: Transaction<Database>,
  subjectId: string,
  requestKey: string,
): Promise<ChargeRow | undefined> {
  return trx
    .selectFrom("payment_charges")
    .selectAll()
    .where("subject_id", "=", subjectId)
    .where("request_key", "=", requestKey)
    .executeTakeFirst();
}
