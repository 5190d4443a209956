import { auditActor } from "../../use/acting.ts";
import type { UseScope } from "../../use/kernel.ts";
import { touch } from "./subjects.repository.ts";

/** A write to one person's record: whose, for which purpose, and where it was given. */
export interface Writing {
  readonly subjectId: string;
  readonly purpose: string;
  readonly collectionPoint: string;
}

/** Bumps the record's version and records the change (field names only); returns the version. */
export async function changed(
  scope: UseScope,
  input: Writing,
  fields: readonly string[],
  change: "address_added" | "address_removed" | "contact_added" | "contact_removed",
): Promise<number> {
  const subjectId = scope.subject!.subjectId;
  const version = await touch(scope.trx, subjectId, scope.now);
  scope.record({
    type: "subject.updated",
    at: scope.now,
    actor: auditActor(scope.acting.actor),
    subjectId,
    payload: {
      fields: [...fields],
      purpose: input.purpose,
      collectionPoint: input.collectionPoint,
      version,
      change,
    },
  });
  return version;
}
