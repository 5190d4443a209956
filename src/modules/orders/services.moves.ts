import type { Transaction } from "kysely";
import type { Database } from "../../store/database.ts";
import { transition, type ServiceAction, type ServiceStatus } from "./orders.ts";
import {
  insertServiceEvent,
  listServiceRows,
  nextServiceSeq,
  stepRow,
  updateService,
  type ServiceRow,
} from "./services.repository.ts";

/**
 * The one change of a service (ZM-07), in the caller's transaction and on a row it locked or
 * read: the new status from `transition()`, the row updated and the step appended to the
 * service's history. Returns null, with nothing changed, when the table does not allow the action.
 */
export async function moveService(
  trx: Transaction<Database>,
  row: ServiceRow,
  action: Exclude<ServiceAction, "add">,
  by: {
    readonly planEnc: string;
    readonly collectionPoint: string;
    readonly purpose: string;
    readonly policyVersion: string;
    readonly actor: string;
    readonly now: Date;
  },
): Promise<ServiceRow | null> {
  const status: ServiceStatus | null = transition(row.status, action);
  if (status === null) return null;
  const updated = await updateService(trx, row, {
    plan_enc: by.planEnc,
    status,
    collection_point: by.collectionPoint,
    purpose: by.purpose,
    policy_version: by.policyVersion,
    updated_at: by.now,
  });
  const seq = await nextServiceSeq(trx, row.subject_id, row.service_id);
  await insertServiceEvent(trx, stepRow(updated, seq, action, by.actor, by.policyVersion, by.now));
  return updated;
}

/**
 * Cancels every service of a person that is not cancelled yet (a rejected or expired fraud hold:
 * zMailCloud's orders are services), each cancellation in the service's history by `actor`;
 * returns how many.
 */
export async function cancelLiveServices(
  trx: Transaction<Database>,
  subjectId: string,
  by: {
    readonly actor: string;
    readonly now: Date;
    readonly purpose: string;
    readonly policyVersion: string;
  },
): Promise<number> {
  let cancelled = 0;
  for (const row of await listServiceRows(trx, subjectId, {
    after: null,
    limit: Number.MAX_SAFE_INTEGER - 1,
  })) {
    const moved = await moveService(trx, row, "cancel", {
      ...by,
      planEnc: row.plan_enc,
      collectionPoint: row.collection_point,
    });
    if (moved !== null) cancelled += 1;
  }
  return cancelled;
}
