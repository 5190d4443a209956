import { sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import {
  sectionQuery,
  subquery,
  withDates,
  type JsonRow,
  type SubjectSection,
} from "../subjects/sections.ts";
import { allOrderRows, countOrders, type OrderRow } from "./orders.repository.ts";
import { ORDER_FIELDS, SERVICE_FIELDS } from "./orders.ts";
import { orderView } from "./orders.service.ts";
import { allServices, serviceView } from "./services.service.ts";
import { serviceEventRows, type ServiceEventRow, type ServiceRow } from "./services.repository.ts";

/** Why orders stay after erasure; the erasure report tells the person. */
export const ORDERS_KEPT_REASON =
  "orders are kept for tax and accounting law; their items and totals were encrypted under the subject's key, which erasure destroys";

/**
 * Orders: exported in full; KEPT on erasure, unreadable once the subject's key is destroyed
 * (crypto-shredding), and the count is reported with the reason.
 */
export const ordersSection: SubjectSection = {
  name: "orders",
  fields: ORDER_FIELDS,
  async export(trx, subjectId, view) {
    return (await allOrderRows(trx, subjectId)).map((r) => orderView(r, view));
  },
  query: sectionQuery<JsonRow<OrderRow>[]>(
    (subjectId) =>
      jsonArrayFrom(
        subquery.selectFrom("orders").selectAll().where("subject_id", "=", subjectId).orderBy("order_id"),
      ),
    (rows, view) => rows.map((r) => orderView(withDates(r, ["created_at"]), view)),
  ),
  async erase(trx, subjectId) {
    const kept = await countOrders(trx, subjectId);
    return kept > 0 ? { deleted: 0, kept, keptReason: ORDERS_KEPT_REASON } : { deleted: 0, kept: 0 };
  },
};

/** Services and their history: exported, deleted on erasure. */
export const servicesSection: SubjectSection = {
  name: "services",
  fields: SERVICE_FIELDS,
  async export(trx, subjectId, view) {
    const rows = await allServices(trx, subjectId);
    const steps = await serviceEventRows(
      trx,
      subjectId,
      rows.map((r) => r.service_id),
    );
    return rows.map((r) =>
      serviceView(
        r,
        steps.filter((s) => s.service_id === r.service_id),
        view,
      ),
    );
  },
  query: sectionQuery<{ services: JsonRow<ServiceRow>[]; steps: JsonRow<ServiceEventRow>[] }>(
    (subjectId) =>
      sql`json_build_object('services', ${jsonArrayFrom(
        subquery.selectFrom("services").selectAll().where("subject_id", "=", subjectId).orderBy("service_id"),
      )}, 'steps', ${jsonArrayFrom(
        subquery
          .selectFrom("service_events")
          .selectAll()
          .where("subject_id", "=", subjectId)
          .orderBy("service_id")
          .orderBy("seq"),
      )})`,
    ({ services, steps }, view) => {
      const history = steps.map((s) => withDates(s, ["at"]));
      return services.map((r) =>
        serviceView(
          withDates(r, ["created_at", "updated_at"]),
          history.filter((s) => s.service_id === r.service_id),
          view,
        ),
      );
    },
  ),
  async erase(trx, subjectId) {
    await trx.deleteFrom("service_events").where("subject_id", "=", subjectId).execute();
    const result = await trx.deleteFrom("services").where("subject_id", "=", subjectId).executeTakeFirst();
    return { deleted: Number(result.numDeletedRows), kept: 0 };
  },
};
