import { staleVersion } from "../../http/etag.ts";
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { SubjectCipher } from "../../crypto/vault.types.ts";
import { PledgeError } from "../../http/errors.ts";
import type { Database } from "../../store/database.ts";
import type { Caller } from "../staff/staff.ts";
import {
  inUse,
  knownFields,
  notFound,
  refused,
  type Granted,
  type Outcome,
  type RecordsDeps,
} from "./gated-use.ts";
import { SERVICE_FIELDS, transition, type ServiceStatus, type ServiceView } from "./orders.ts";
import {
  insertService,
  insertServiceEvent,
  listServiceRows,
  nextServiceSeq,
  serviceEventRows,
  serviceForUpdate,
  updateService,
  type ServiceEventRow,
  type ServiceRow,
} from "./services.repository.ts";
import { afterOf, pageOf, provenanceOf, type Page } from "./records.ts";

/** Services a subject subscribes to: add, change, cancel (ZM-07), each step kept in the history. */

export interface ServiceInput {
  readonly purpose: string;
  readonly collectionPoint: string;
}

export type ServiceChange =
  | (ServiceInput & { readonly action: "change"; readonly plan: string })
  | (ServiceInput & { readonly action: "cancel" });

const actorName = (caller: Caller) => `staff:${caller.staffId}`;

export async function addService(
  deps: RecordsDeps,
  caller: Caller,
  subjectId: string,
  input: ServiceInput & { readonly plan: string },
): Promise<Outcome<ServiceView>> {
  const use = { action: "collect", purpose: input.purpose, fields: [...SERVICE_FIELDS] } as const;
  return inUse(deps, caller, subjectId, use, async (trx, granted, cipher) => {
    const serviceId = randomUUID();
    const plan_enc = cipher.encrypt("services", input.plan);
    const row = {
      subject_id: subjectId,
      service_id: serviceId,
      plan_enc,
      status: transition(null, "add") as ServiceStatus,
      collection_point: input.collectionPoint,
      purpose: input.purpose,
      policy_version: granted.policyVersion,
      created_at: granted.at,
      updated_at: granted.at,
    };
    await insertService(trx, row);
    const step = stepRow(row, 1, "add", actorName(caller), granted);
    await insertServiceEvent(trx, step);
    // Ids, status and provenance only: the response may be stored for Idempotency-Key replays.
    return { ok: true, value: serviceView({ ...row, version: 1 }, [step], granted, null) };
  });
}

/**
 * Changes the plan of, or cancels, a service whose version is still `ifMatch` (a stale version is
 * PLEDGE_PRECONDITION_FAILED: two concurrent edits never silently overwrite each other).
 */
export async function changeService(
  deps: RecordsDeps,
  caller: Caller,
  subjectId: string,
  serviceId: string,
  ifMatch: number | null,
  change: ServiceChange,
): Promise<Outcome<ServiceView>> {
  const use = { action: "collect", purpose: change.purpose, fields: [...SERVICE_FIELDS] } as const;
  return inUse(deps, caller, subjectId, use, async (trx, granted, cipher) => {
    const row = await serviceForUpdate(trx, subjectId, serviceId);
    if (row === undefined) return refused(notFound());
    if (ifMatch !== null && row.version !== ifMatch) return refused(staleVersion(row.version));
    const status = transition(row.status, change.action);
    if (status === null) {
      return refused(
        new PledgeError(
          "PLEDGE_SERVICE_TRANSITION_INVALID",
          `a ${row.status} service cannot ${change.action}`,
        ),
      );
    }
    const plan_enc = change.action === "change" ? cipher.encrypt("services", change.plan) : row.plan_enc;
    const updated = await updateService(trx, row, {
      plan_enc,
      status,
      collection_point: change.collectionPoint,
      purpose: change.purpose,
      policy_version: granted.policyVersion,
      updated_at: granted.at,
    });
    const seq = await nextServiceSeq(trx, subjectId, serviceId);
    await insertServiceEvent(trx, stepRow(updated, seq, change.action, actorName(caller), granted));
    const history = await serviceEventRows(trx, subjectId, [serviceId]);
    return { ok: true, value: serviceView(updated, history, granted, cipher) };
  });
}

export async function listServices(
  deps: RecordsDeps,
  caller: Caller,
  subjectId: string,
  query: { purpose: string; status?: ServiceStatus; limit: number; cursor?: string; serviceId?: string },
): Promise<Outcome<Page<ServiceView>>> {
  const after = afterOf(query.cursor);
  const { pack } = deps.book.at(deps.clock().toISOString());
  const use = {
    action: "read",
    purpose: query.purpose,
    fields: knownFields(pack, SERVICE_FIELDS),
    projection: true,
  } as const;
  return inUse(deps, caller, subjectId, use, async (trx, granted, cipher) => {
    const rows = await listServiceRows(trx, subjectId, { ...query, after });
    const page = rows.slice(0, query.limit);
    const steps = await serviceEventRows(
      trx,
      subjectId,
      page.map((r) => r.service_id),
    );
    return {
      ok: true,
      value: pageOf(
        rows,
        query.limit,
        (r) => r.service_id,
        (r) =>
          serviceView(
            r,
            steps.filter((s) => s.service_id === r.service_id),
            granted,
            cipher,
          ),
      ),
    };
  });
}

export async function allServices(db: Kysely<Database>, subjectId: string): Promise<ServiceRow[]> {
  return listServiceRows(db, subjectId, { after: null, limit: Number.MAX_SAFE_INTEGER - 1 });
}

function stepRow(
  row: Pick<ServiceRow, "subject_id" | "service_id" | "plan_enc" | "collection_point" | "purpose">,
  seq: number,
  action: ServiceEventRow["action"],
  actor: string,
  granted: Granted,
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
    policy_version: granted.policyVersion,
    at: granted.at,
  };
}

export function serviceView(
  row: ServiceRow,
  steps: readonly ServiceEventRow[],
  granted: Granted | null,
  cipher: SubjectCipher | null,
): ServiceView {
  const open = cipher !== null && (granted === null || granted.decision.fields.includes("services"));
  return {
    serviceId: row.service_id,
    ...(open
      ? {
          plan: cipher.decrypt("services", row.plan_enc),
          history: steps.map((s) => ({
            seq: s.seq,
            action: s.action,
            plan: cipher.decrypt("services", s.plan_enc),
            at: s.at.toISOString(),
            actor: s.actor,
            provenance: provenanceOf(s),
          })),
        }
      : {}),
    status: row.status,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    provenance: provenanceOf({ ...row, at: row.updated_at }),
    version: row.version,
  };
}
