import type { Transaction } from "kysely";
import type { SubjectCipher } from "../../crypto/vault.types.ts";
import type { Database } from "../../store/database.ts";
import { readAddresses, type AddressRecord } from "./addresses.repository.ts";
import { clausesOf } from "./subjects.gate.ts";
import { useSubject } from "./subjects.access.ts";
import type { SubjectRow } from "./subjects.repository.ts";
import type { SubjectsDeps } from "./subjects.service.ts";
import {
  ADDRESS_KINDS,
  addressField,
  PROFILE_FIELDS,
  RECORD_FIELDS,
  type Acting,
  type Provenance,
  type Result,
  type SubjectStatus,
} from "./subjects.ts";

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
    readonly clauses: readonly string[];
    readonly policy: { readonly company: string; readonly version: string };
  };
}

/**
 * Reads a record for a stated purpose: the gate decides with the person's facts, projects the
 * fields, only allowed fields are decrypted, and the decision is audited with the subject id in
 * the same transaction as the read (ALL-02).
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
  return useSubject(deps, acting, input.subjectId, ask, async ({ trx, subject, decision }) => {
    const cipher = await cipherOf(deps, trx, subject.subjectId);
    const allowed = new Set(decision.fields);
    const view: SubjectView = {
      ...metadata(subject),
      fields: await readFields(trx, cipher, subject, allowed),
      addresses: await readAddresses(
        trx,
        cipher,
        ADDRESS_KINDS.filter((k) => allowed.has(addressField(k))),
      ),
      decision: {
        outcome: decision.outcome === "partial" ? "partial" : "allow",
        fields: decision.fields,
        removed: decision.removed,
        clauses: clausesOf(decision),
        policy: decision.policy,
      },
    };
    return { value: view };
  });
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

export async function cipherOf(
  deps: SubjectsDeps,
  trx: Transaction<Database>,
  subjectId: string,
): Promise<SubjectCipher> {
  const cipher = await deps.vault.cipherFor(trx, subjectId);
  // A live record always has its key; erasure destroys both together.
  if (cipher === null) throw new Error(`subject ${subjectId} has no data key`);
  return cipher;
}

/** Decrypts the allowed single-valued fields, and the customer number when allowed. */
export async function readFields(
  trx: Transaction<Database>,
  cipher: SubjectCipher,
  subject: SubjectRow,
  allowed: ReadonlySet<string>,
): Promise<Record<string, FieldValue>> {
  const names = PROFILE_FIELDS.filter((f) => allowed.has(f));
  const out: Record<string, FieldValue> = {};
  if (allowed.has("customer_number") && subject.customerNumber !== null) {
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
      value: cipher.decrypt(r.field, r.value_enc),
      collectionPoint: r.collection_point,
      purpose: r.purpose,
      collectedAt: new Date(r.collected_at).toISOString(),
      policyVersion: r.policy_version,
    };
  }
  return out;
}
