import { auditActor, customerActing, type Acting } from "../../use/acting.ts";
import { use, type UseScope } from "../../use/kernel.ts";
import { clausesOf, fail, ok, type Result } from "../../use/refusal.ts";
import { readSectionsAndKey, sectionsFor, type SubjectSection } from "./sections.ts";
import type { SubjectsDeps } from "./subjects.service.ts";

/** What is held about a person, section by section, decrypted as far as the use allows. */
export interface SubjectExport {
  readonly id: string;
  readonly exportedAt: string;
  readonly policy: { readonly company: string; readonly version: string };
  readonly clauses: readonly string[];
  /** The record fields the export reaches (the purpose's, or every one for the person's own). */
  readonly fields: readonly string[];
  /** Section name → what it holds. */
  readonly sections: Readonly<Record<string, unknown>>;
}

/**
 * A staff export of one person's record for a stated purpose: a `read` of every field the record
 * sections hold, projected to those the purpose allows (content of communications never: gate
 * rule 6). Only the sections holding an allowed field are read, each projected to the allowed
 * fields; what is no pack field (birth date, consent history, the disclosure ledger, the account)
 * stays out. A purpose that allows none of the record's fields is refused.
 */
export async function exportForPurpose(
  deps: SubjectsDeps,
  acting: Acting,
  input: { readonly subjectId: string; readonly purpose: string },
): Promise<Result<SubjectExport>> {
  const sections = deps.sections.sections();
  const known = deps.policies.at(deps.clock().toISOString()).policy.fieldCategory;
  const fields = [...new Set(sections.flatMap((s) => s.fields))].filter((f) => known.has(f));
  const ask = { action: "read" as const, purpose: input.purpose, fields, projection: true };
  return use(
    deps,
    acting,
    { subject: input.subjectId },
    ask,
    (scope) => exported(deps, scope, sections, input.purpose, false),
    { keepsFacts: true },
  );
}

/**
 * The person's own access export (ALL-04): everything held about them, every section, with each
 * datum's provenance. Reached by the person themself (the self-service purpose of the pack; a
 * pack without self-service offers none). The key and every section that offers SQL are read in
 * ONE statement, then decrypted in process; the export is audited (`subject.exported`, section
 * names only) with the decision, in the same transaction.
 */
export async function exportOwnRecord(deps: SubjectsDeps, subjectId: string): Promise<Result<SubjectExport>> {
  const purpose = deps.policies.at(deps.clock().toISOString()).pack.requests?.self_service?.purpose;
  if (purpose === undefined) return fail({ kind: "not_found" });
  const ask = { action: "read" as const, purpose, fields: [] };
  return use(
    deps,
    customerActing(subjectId),
    { subject: subjectId },
    ask,
    (scope) => exported(deps, scope, deps.sections.sections(), purpose, true),
    { whole: true, keepsFacts: true },
  );
}

async function exported(
  deps: SubjectsDeps,
  scope: UseScope,
  all: readonly SubjectSection[],
  purpose: string,
  whole: boolean,
): Promise<Result<SubjectExport>> {
  const { trx, subject, decision, now, narrow } = scope;
  const id = subject!.subjectId;
  const chosen = whole ? all : sectionsFor(all, decision.fields);
  const sections = await readSectionsAndKey(trx, chosen, id, deps.vault, narrow);
  scope.record({
    type: "subject.exported",
    at: now,
    actor: auditActor(scope.acting.actor),
    subjectId: id,
    payload: { purpose, sections: Object.keys(sections) },
  });
  return ok({
    id,
    exportedAt: now.toISOString(),
    policy: decision.policy,
    clauses: clausesOf(decision),
    fields: whole ? ["*"] : decision.fields,
    sections,
  });
}
