import type { Kysely, Selectable, Transaction } from "kysely";
import type { Database } from "../../store/database.ts";
import type { ServiceEventsTable, ServicesTable } from "./orders.table.ts";

/** SQL for services and their history. Plans arrive encrypted. */

export type ServiceRow = Selectable<ServicesTable>;
export type ServiceEventRow = Selectable<ServiceEventsTable>;

export async function insertService(
  trx: Transaction<Database>,
  row: Omit<ServiceRow, "version">,
): Promise<void> {
  await trx
    .insertInto("services")
    .values({ ...row, version: 1 })
    .execute();
}

/** The service, locked for the change that follows. */
export async function serviceForUpdate(
  trx: Transaction<Database>,
  subjectId: string,
  serviceId: string,
): Promise<ServiceRow | undefined> {
  return trx
    .selectFrom("services")
    .selectAll()
    .where("subject_id", "=", subjectId)
    .where("service_id", "=", serviceId)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateService(
  trx: Transaction<Database>,
  row: ServiceRow,
  set: Pick<
    ServiceRow,
    "plan_enc" | "status" | "collection_point" | "purpose" | "policy_version" | "updated_at"
  >,
): Promise<ServiceRow> {
  return trx
    .updateTable("services")
    .set({ ...set, version: row.version + 1 })
    .where("subject_id", "=", row.subject_id)
    .where("service_id", "=", row.service_id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertServiceEvent(trx: Transaction<Database>, row: ServiceEventRow): Promise<void> {
  await trx.insertInto("service_events").values(row).execute();
}

export async function nextServiceSeq(
  trx: Transaction<Database>,
  subjectId: string,
  serviceId: string,
): Promise<number> {
  const row = await trx
    .selectFrom("service_events")
    .select((eb) => eb.fn.max("seq").as("seq"))
    .where("subject_id", "=", subjectId)
    .where("service_id", "=", serviceId)
    .executeTakeFirst();
  return Number(row?.seq ?? 0) + 1;
}

export async function listServiceRows(
  db: Kysely<Database>,
  subjectId: string,
  opts: { after: string | null; limit: number; status?: ServiceRow["status"]; serviceId?: string },
): Promise<ServiceRow[]> {
  let q = db.selectFrom("services").selectAll().where("subject_id", "=", subjectId);
  if (opts.after !== null) q = q.where("service_id", ">", opts.after);
  if (opts.status !== undefined) q = q.where("status", "=", opts.status);
  if (opts.serviceId !== undefined) q = q.where("service_id", "=", opts.serviceId);
  return q
    .orderBy("service_id")
    .limit(opts.limit + 1)
    .execute();
}

/** The history of the given services, oldest step first. */
export async function serviceEventRows(
  db: Kysely<Database>,
  subjectId: string,
  serviceIds: readonly string[],
): Promise<ServiceEventRow[]> {
  if (serviceIds.length === 0) return [];
  return db
    .selectFrom("service_events")
    .selectAll()
    .where("subject_id", "=", subjectId)
    .where("service_id", "in", serviceIds)
    .orderBy("service_id")
    .orderBy("seq")
    .execute();
}

/** The history row of one step of a service, as the service stands after it. */
export function stepRow(
  row: Pick<ServiceRow, "subject_id" | "service_id" | "plan_enc" | "collection_point" | "purpose">,
  seq: number,
  action: ServiceEventRow["action"],
  actor: string,
  policyVersion: string,
  at: Date,
): ServiceEventRow {
  return {
    subject_id: row.subject_id,
    service_id: row.service_id,
    seq,
    action,
    plan_enc: row.plan_enc,
    actor,
    collection_point: row.collection_point,
    purpose: row.purpose,
    policy_version: policyVersion,
    at,
  };
}
