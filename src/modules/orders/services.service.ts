import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { PledgeError } from "../../errors.ts";
import type { Database } from "../../store/database.ts";
import { auditActor, type Acting } from "../../use/acting.ts";
import { use } from "../../use/kernel.ts";
import { fail, failWith, ok, type Result } from "../../use/refusal.ts";
import type { FieldView } from "../../use/view.ts";
import { knownFields, type RecordsDeps } from "../records/records.ts";
import { SERVICE_FIELDS, transition, type ServiceStatus, type ServiceView } from "./orders.ts";
import {
  insertService,
  insertServiceEvent,
  listServiceRows,
  serviceEventRows,
  serviceForUpdate,
  stepRow,
  type ServiceEventRow,
  type ServiceRow,
} from "./services.repository.ts";
import { moveService } from "./services.moves.ts";
import { afterOf, pageOf, provenanceOf, type Page } from "../records/records.ts";
import { screenOrder } from "../fraud/fraud.service.ts";

/** Services a subject subscribes to: add, change, cancel (ZM-07), each step kept in the history. */

export interface ServiceInput {
  readonly purpose: string;
  readonly collectionPoint: string;
  /** The customer's IP address when ordering, for the fraud checks (ZM-09); only its network's blind index is kept. */
  readonly sourceAddress?: string;
}

export type ServiceChange =
  | (ServiceInput & { readonly action: "change"; readonly plan: string })
  | (ServiceInput & { readonly action: "cancel" });

export async function addService(
  deps: RecordsDeps,
  acting: Acting,
  subjectId: string,
  input: ServiceInput & { readonly plan: string },
): Promise<Result<ServiceView>> {
  const ask = { action: "collect", purpose: input.purpose, fields: [...SERVICE_FIELDS] } as const;
  return use(deps, acting, { subject: subjectId }, ask, async (scope) => {
    const { trx, now, decision, view } = scope;
    // ZM-09: ordering a service is an order: the first is checked, a held customer's is answered so.
    const screened = await screenOrder(deps, scope, subjectId, input.sourceAddress ?? null);
    if (!screened.ok) return screened;
    const serviceId = randomUUID();
    const plan_enc = (await view()).seal("services", input.plan);
    const row = {
      subject_id: subjectId,
      service_id: serviceId,
      plan_enc,
      status: transition(null, "add") as ServiceStatus,
      collection_point: input.collectionPoint,
      purpose: input.purpose,
      policy_version: decision.policy.version,
      created_at: now,
      updated_at: now,
    };
    await insertService(trx, row);
    const step = stepRow(row, 1, "add", auditActor(acting.actor), decision.policy.version, now);
    await insertServiceEvent(trx, step);
    // Ids, status and provenance only: the response may be stored for Idempotency-Key replays.
    const hold = screened.value.hold;
    return ok({
      ...serviceView({ ...row, version: 1 }, [step], null),
      ...(hold === null ? {} : { fraudHold: hold }),
    });
  });
}

/**
 * Changes the plan of, or cancels, a service whose version is still `ifMatch` (a stale version is
 * PLEDGE_PRECONDITION_FAILED: two concurrent edits never silently overwrite each other).
 */
export async function changeService(
  deps: RecordsDeps,
  acting: Acting,
  subjectId: string,
  serviceId: string,
  ifMatch: number | null,
  change: ServiceChange,
): Promise<Result<ServiceView>> {
  const ask = { action: "collect", purpose: change.purpose, fields: [...SERVICE_FIELDS] } as const;
  return use(deps, acting, { subject: subjectId }, ask, async ({ trx, now, decision, view }) => {
    const row = await serviceForUpdate(trx, subjectId, serviceId);
    if (row === undefined) return fail({ kind: "not_found" });
    if (ifMatch !== null && row.version !== ifMatch) return fail({ kind: "stale", version: row.version });
    const fields = await view();
    const updated = await moveService(trx, row, change.action, {
      planEnc: change.action === "change" ? fields.seal("services", change.plan) : row.plan_enc,
      collectionPoint: change.collectionPoint,
      purpose: change.purpose,
      policyVersion: decision.policy.version,
      actor: auditActor(acting.actor),
      now,
    });
    if (updated === null) {
      return failWith(
        new PledgeError(
          "PLEDGE_SERVICE_TRANSITION_INVALID",
          `a ${row.status} service cannot ${change.action}`,
        ),
      );
    }
    const history = await serviceEventRows(trx, subjectId, [serviceId]);
    return ok(serviceView(updated, history, fields));
  });
}

export async function listServices(
  deps: RecordsDeps,
  acting: Acting,
  subjectId: string,
  query: { purpose: string; status?: ServiceStatus; limit: number; cursor?: string; serviceId?: string },
): Promise<Result<Page<ServiceView>>> {
  const after = afterOf(query.cursor);
  const known = deps.policies.at(deps.clock().toISOString()).policy.fieldCategory;
  const ask = {
    action: "read",
    purpose: query.purpose,
    fields: knownFields(known, SERVICE_FIELDS),
    projection: true,
  } as const;
  return use(deps, acting, { subject: subjectId }, ask, async ({ trx, view }) => {
    const fields = await view();
    const rows = await listServiceRows(trx, subjectId, { ...query, after });
    const page = rows.slice(0, query.limit);
    const steps = await serviceEventRows(
      trx,
      subjectId,
      page.map((r) => r.service_id),
    );
    return ok(
      pageOf(
        rows,
        query.limit,
        (r) => r.service_id,
        (r) =>
          serviceView(
            r,
            steps.filter((s) => s.service_id === r.service_id),
            fields,
          ),
      ),
    );
  });
}

export async function allServices(db: Kysely<Database>, subjectId: string): Promise<ServiceRow[]> {
  return listServiceRows(db, subjectId, { after: null, limit: Number.MAX_SAFE_INTEGER - 1 });
}

export function serviceView(
  row: ServiceRow,
  steps: readonly ServiceEventRow[],
  view: FieldView | null,
): ServiceView {
  const open = view !== null && view.allows("services");
  return {
    serviceId: row.service_id,
    ...(open
      ? {
          plan: view.open("services", row.plan_enc),
          history: steps.map((s) => ({
            seq: s.seq,
            action: s.action,
            plan: view.open("services", s.plan_enc),
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
