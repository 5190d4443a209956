import { auditActor, type Acting } from "../../use/acting.ts";
import type { Transaction } from "kysely";
import type { Database } from "../../store/database.ts";
import { use, useIn } from "../../use/kernel.ts";
import { fail, ok, type Result } from "../../use/refusal.ts";
import { jurisdictionOf, type ProfileField, type SubjectStatus } from "./subjects.ts";
import {
  deleteFields,
  deleteIdentities,
  identityOwner,
  putFields,
  putIdentities,
  touch,
  stampFor,
} from "./subjects.repository.ts";
import type { SubjectsDeps } from "./subjects.service.ts";
import { cleanProfile } from "./subjects.values.ts";

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
  /** The caller's transaction (a correction request applies and closes in one); else its own. */
  within?: Transaction<Database>,
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
  const run: typeof use<UpdatedSubject> = (...args) =>
    within === undefined ? use(...args) : useIn(within, ...args);
  return run(
    deps,
    acting,
    { subject: input.subjectId },
    ask,
    async (scope) => {
      const { trx, now, pack } = scope;
      const subject = scope.subject!;
      for (const identity of clean.value.identities) {
        if (identity.kind === "postal") continue;
        const owner = await identityOwner(trx, identity.kind, identity.blindIndex, subject.subjectId);
        if (owner !== null) return fail({ kind: "duplicate", identity: identity.kind });
      }
      const view = await scope.view();
      const stamp = stampFor(input, now, pack);
      await putFields(trx, view, clean.value.fields, stamp);
      await putIdentities(trx, view, clean.value.identities, now);
      await deleteFields(trx, subject.subjectId, cleared);
      for (const kind of cleared.filter((n) => n === "email" || n === "phone")) {
        await deleteIdentities(trx, subject.subjectId, { kind });
      }
      const meta = {
        ...(input.status === undefined ? {} : { status: input.status }),
        ...(input.jurisdiction === undefined ? {} : { jurisdiction: jurisdictionOf(input.jurisdiction) }),
      };
      if (Object.keys(meta).length > 0) {
        await trx.updateTable("subjects").set(meta).where("subject_id", "=", subject.subjectId).execute();
      }
      const version = await touch(trx, subject.subjectId, now);
      const changed = [...names, ...Object.keys(meta)];
      scope.record({
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
      });
      return ok({ id: subject.subjectId, version, fields: changed });
    },
    {
      lock: true,
      ...(input.expectedVersion === undefined ? {} : { expectedVersion: input.expectedVersion }),
    },
  );
}
