import {
  auditActor,
  fail,
  type Acting,
  type ProfileField,
  type Result,
  type SubjectStatus,
} from "./subjects.ts";
import { useSubject } from "./subjects.access.ts";
import {
  deleteFields,
  identityOwner,
  putFields,
  putIdentities,
  touch,
  stampFor,
} from "./subjects.repository.ts";
import type { SubjectsDeps } from "./subjects.service.ts";
import { cleanProfile } from "./subjects.values.ts";
import { cipherOf } from "./read.ts";

export interface UpdateSubjectInput {
  readonly subjectId: string;
  /** The version the caller last read (If-Match); absent only for `If-Match: *` (any version). */
  readonly expectedVersion?: number;
  /** The purpose the new data is collected for. */
  readonly purpose: string;
  readonly collectionPoint: string;
  /** New values; `null` clears a field. */
  readonly fields?: Readonly<Partial<Record<ProfileField, string | null>>>;
  readonly status?: SubjectStatus;
  readonly jurisdiction?: string | null;
}

export interface UpdatedSubject {
  readonly id: string;
  readonly version: number;
  readonly fields: readonly string[];
}

/**
 * Changes a record. Writing personal data is a use: the gate is asked for a `collect` of the
 * fields changed, for the purpose they are collected for. The change and who made it are audited
 * (`subject.updated`, field names only), so staff edits on a customer's behalf are on record
 * with the staff actor (ZZ-09). A stale version answers `stale` and changes nothing.
 */
export async function updateSubject(
  deps: SubjectsDeps,
  acting: Acting,
  input: UpdateSubjectInput,
): Promise<Result<UpdatedSubject>> {
  const given = input.fields ?? {};
  const names = Object.keys(given) as ProfileField[];
  const setting = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== null)) as Partial<
    Record<ProfileField, string>
  >;
  const cleared = names.filter((n) => given[n] === null);
  const clean = cleanProfile(deps.vault, setting);
  if (!clean.ok) return fail({ kind: "invalid", errors: clean.errors });

  const ask = { action: "collect" as const, purpose: input.purpose, fields: names };
  return useSubject<UpdatedSubject>(
    deps,
    acting,
    input.subjectId,
    ask,
    async ({ trx, subject, now, pack }) => {
      for (const identity of clean.value.identities) {
        if (identity.kind === "postal") continue;
        const owner = await identityOwner(trx, identity.kind, identity.blindIndex, subject.subjectId);
        if (owner !== null) return { refusal: { kind: "duplicate", identity: identity.kind } };
      }
      const cipher = await cipherOf(deps, trx, subject.subjectId);
      const stamp = stampFor(input, now, pack);
      await putFields(trx, cipher, clean.value.fields, stamp);
      await putIdentities(trx, cipher, clean.value.identities, now);
      await deleteFields(trx, subject.subjectId, cleared);
      for (const kind of cleared.filter((n) => n === "email" || n === "phone")) {
        await trx
          .deleteFrom("subject_identities")
          .where("subject_id", "=", subject.subjectId)
          .where("kind", "=", kind)
          .execute();
      }
      const meta = {
        ...(input.status === undefined ? {} : { status: input.status }),
        ...(input.jurisdiction === undefined ? {} : { jurisdiction: input.jurisdiction }),
      };
      if (Object.keys(meta).length > 0) {
        await trx.updateTable("subjects").set(meta).where("subject_id", "=", subject.subjectId).execute();
      }
      const version = await touch(trx, subject.subjectId, now);
      const changed = [...names, ...Object.keys(meta)];
      return {
        value: { id: subject.subjectId, version, fields: changed },
        events: [
          {
            type: "subject.updated",
            at: now,
            actor: auditActor(acting.actor),
            subjectId: subject.subjectId,
            payload: {
              fields: changed,
              purpose: input.purpose,
              collectionPoint: input.collectionPoint,
              version,
              change: "fields",
            },
          },
        ],
      };
    },
    {
      lock: true,
      ...(input.expectedVersion === undefined ? {} : { expectedVersion: input.expectedVersion }),
    },
  );
}
