import { sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import {
  sectionQuery,
  subquery,
  withDates,
  type JsonRow,
  type SubjectSection,
} from "../subjects/sections.ts";
import {
  chargeRows,
  listPaymentMethodRows,
  type ChargeRow,
  type PaymentMethodRow,
} from "./payments.repository.ts";
import { PAYMENT_FIELDS } from "./payments.ts";
import { methodView } from "./payments.service.ts";

export const CHARGES_KEPT_REASON =
  "the record of each charge (order, payment method id, time) is kept for tax and accounting law; it holds no card data";

/**
 * Payment methods are deleted on erasure (a provider token is of no use to keep); the charges
 * made with them are kept as billing records, with the reason.
 */
const chargeView = (c: ChargeRow) => ({
  chargeId: c.charge_id,
  paymentMethodId: c.payment_method_id,
  orderId: c.order_id,
  reuse: c.reuse,
  purpose: c.purpose,
  chargedAt: c.charged_at.toISOString(),
  policyVersion: c.policy_version,
});

export const paymentsSection: SubjectSection = {
  name: "payment_methods",
  fields: PAYMENT_FIELDS,
  async export(trx, subjectId, view) {
    const methods = await listPaymentMethodRows(trx, subjectId, {
      after: null,
      limit: Number.MAX_SAFE_INTEGER - 1,
    });
    const charges = await chargeRows(trx, subjectId);
    return {
      methods: methods.map((r) => methodView(r, view)),
      charges: charges.map(chargeView),
    };
  },
  query: sectionQuery<{ methods: JsonRow<PaymentMethodRow>[]; charges: JsonRow<ChargeRow>[] }>(
    (subjectId) =>
      sql`json_build_object('methods', ${jsonArrayFrom(
        subquery
          .selectFrom("payment_methods")
          .selectAll()
          .where("subject_id", "=", subjectId)
          .orderBy("payment_method_id"),
      )}, 'charges', ${jsonArrayFrom(
        subquery
          .selectFrom("payment_charges")
          .selectAll()
          .where("subject_id", "=", subjectId)
          .orderBy("charged_at")
          .orderBy("charge_id"),
      )})`,
    ({ methods, charges }, view) => ({
      methods: methods.map((r) => methodView(withDates(r, ["created_at"]), view)),
      charges: charges.map((c) => chargeView(withDates(c, ["charged_at"]))),
    }),
  ),
  async erase(trx, subjectId) {
    const result = await trx
      .deleteFrom("payment_methods")
      .where("subject_id", "=", subjectId)
      .executeTakeFirst();
    const kept = (await chargeRows(trx, subjectId)).length;
    return {
      deleted: Number(result.numDeletedRows),
      kept,
      ...(kept > 0 ? { keptReason: CHARGES_KEPT_REASON } : {}),
    };
  },
};
