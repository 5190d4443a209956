import type { Transaction } from "kysely";
import type { Database } from "../../store/database.ts";
import type { Decision } from "../../gate/types.ts";
import type { Acting } from "../../use/acting.ts";
import { use } from "../../use/kernel.ts";
import { clausesOf, ok, type Result } from "../../use/refusal.ts";
import type { SubjectRow } from "../../use/subject.ts";
import type { FieldView } from "../../use/view.ts";
import { readAddresses, type AddressRecord } from "./addresses.repository.ts";
import type { SubjectsDeps } from "./subjects.service.ts";
import { PROFILE_FIELDS, RECORD_FIELDS, type Provenance, type SubjectStatus } from "./subjects.ts";

export interface ReadSubjectInput {
  readonly subjectId: string;
  readonly purpose: string;
  /** Fields wanted; every one must be allowed. Absent: every field of the record the purpose allows. */
  readonly fields?: readonly string[];
}

export interface FieldValue extends Provenance {
  readonly value: string;
}

/** A record as a read may see it: metadata, the allowed fields, the gate's answer. */
export interface SubjectView {
  readonly id: string;
  readonly status: SubjectStatus;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly fields: Readonly<Record<string, FieldValue>>;
  readonly addresses: readonly AddressRecord[];
  readonly decision: {
    readonly outcome: "allow" | "partial";
    readonly fields: readonly string[];
    readonly removed: readonly string[];
    /** Each removed field with the gate's reason and its clause, for the reader to see why. */
    readonly withheld: readonly {
      readonly field: string;
      readonly reason: string;
      readonly clause: string | null;
    }[];
    readonly clauses: readonly string[];
    readonly policy: { readonly company: string; readonly version: string };
  };
}

/**
 * Reads a record for a stated purpose: a `read` use of the fields asked for (or, with none named,
 * of every field of the record, projected to those the purpose allows). Only allowed fields are
 * decrypted; the decision is audited with the subject id, durably before the record is returned
 * (ALL-02), with group commit: the read itself writes nothing.
 */
export async function readSubject(
  deps: SubjectsDeps,
  acting: Acting,
  input: ReadSubjectInput,
): Promise<Result<SubjectView>> {
  const at = deps.clock().toISOString();
  const known = deps.policies.at(at).policy.fieldCategory;
  const fields = input.fields ?? RECORD_FIELDS.filter((f) => known.has(f));
  const ask = {
    action: "read" as const,
    purpose: input.purpose,
    fields,
    projection: input.fields === undefined,
  };
  return use(
    deps,
    acting,
    { subject: input.subjectId },
    ask,
    async ({ trx, subject, decision, view }) => {
      const fieldView = await view();
      return ok<SubjectView>({
        ...metadata(subject!),
        fields: await readFields(trx, fieldView, subject!),
        addresses: await readAddresses(trx, fieldView),
        decision: {
          outcome: decision.outcome === "partial" ? "partial" : "allow",
          fields: decision.fields,
          removed: decision.removed,
          withheld: withheldOf(decision),
          clauses: clausesOf(decision),
          policy: decision.policy,
        },
      });
    },
    { readOnly: true },
  );
}

/** The removed fields, each with the reason of the gate's rule that removed it. */
function withheldOf(decision: Decision): SubjectView["decision"]["withheld"] {
  const why = decision.reasons.find((r) => r.code === "fields_removed");
  const reason = why?.detail.replace(/^.*removed: /, "") ?? "not allowed for this purpose";
  return decision.removed.map((field) => ({ field, reason, clause: why?.clause ?? null }));
}

export function metadata(subject: SubjectRow) {
  return {
    id: subject.subjectId,
    status: subject.status,
    version: subject.version,
    createdAt: new Date(subject.createdAt).toISOString(),
    updatedAt: new Date(subject.updatedAt).toISOString(),
  };
}

/** Decrypts the single-valued fields the view allows, and the customer number when it allows it. */
export async function readFields(
  trx: Transaction<Database>,
  view: FieldView,
  subject: SubjectRow,
): Promise<Record<string, FieldValue>> {
  const names = PROFILE_FIELDS.filter((f) => view.allows(f));
  const out: Record<string, FieldValue> = {};
  if (view.allows("customer_number") && subject.customerNumber !== null) {
    out.customer_number = {
      value: subject.customerNumber,
      collectionPoint: subject.collectionPoint ?? "unknown",
      purpose: subject.purpose ?? "unknown",
      collectedAt: new Date(subject.createdAt).toISOString(),
      policyVersion: subject.policyVersion ?? "unknown",
    };
  }
  if (names.length === 0) return out;
  const rows = await trx
    .selectFrom("subject_fields")
    .where("subject_id", "=", subject.subjectId)
    .where("field", "in", names)
    .selectAll()
    .execute();
  for (const r of rows) {
    out[r.field] = {
      value: view.open(r.field, r.value_enc),
      collectionPoint: r.collection_point,
      purpose: r.purpose,
      collectedAt: new Date(r.collected_at).toISOString(),
      policyVersion: r.policy_version,
    };
  }
  return out;
}
