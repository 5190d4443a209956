import type { Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import type { Database } from "../../store/database.ts";
import { auditActor, type Acting } from "../../use/acting.ts";
import { PledgeError } from "../../errors.ts";
import { fail, failWith, ok, type Result } from "../../use/refusal.ts";
import { activeHolds } from "../holds/holds.repository.ts";
import { markPeopleStale } from "../../use/kept.ts";
import { findLiveSubject } from "../../use/subject.ts";
import type { SubjectsDeps } from "./subjects.service.ts";

/** What erasure did, section by section, and what it kept because the law requires it. */
export interface SubjectErasure {
  readonly id: string;
  readonly erasedAt: string;
  readonly keyDestroyed: boolean;
  readonly sections: readonly {
    readonly name: string;
    readonly deleted: number;
    readonly kept: number;
    readonly keptReason: string | null;
  }[];
  /** One sentence per section that kept rows: what the person is told (ALL-04). */
  readonly kept: readonly string[];
}

/**
 * Erases a person (ALL-04). Every section removes what it may and says what it keeps; the data
 * key is destroyed, so every ciphertext left anywhere (kept records, backups) becomes unreadable
 * (crypto-shredding); the `subjects` row stays as a tombstone without birth date, jurisdiction or
 * customer number, so kept records still point somewhere and the Do Not Send list (kept apart,
 * PS-05) still works. Afterwards the subject reads as not found. Erasure is a right, not a use of
 * data: the gate is not asked; the route decides who may ask for it. A person under a legal hold
 * is not erased (PLEDGE_LEGAL_HOLD, docs/holds.md).
 */
export async function eraseSubject(
  deps: SubjectsDeps,
  acting: Acting,
  input: { readonly subjectId: string },
): Promise<Result<SubjectErasure>> {
  const now = deps.clock();
  return deps.db.transaction().execute((trx) => eraseSubjectIn(trx, deps, acting, input.subjectId, now));
}

/** `eraseSubject` in the caller's transaction (a deletion request erases and closes at once). */
export async function eraseSubjectIn(
  trx: Transaction<Database>,
  deps: Pick<SubjectsDeps, "sections" | "vault">,
  acting: Acting,
  subjectId: string,
  now: Date,
): Promise<Result<SubjectErasure>> {
  const subject = await findLiveSubject(trx, subjectId, true);
  if (subject === null) return fail<SubjectErasure>({ kind: "not_found" });
  const holds = await activeHolds(trx, subject.subjectId);
  if (holds.length > 0) {
    return failWith<SubjectErasure>(
      new PledgeError(
        "PLEDGE_LEGAL_HOLD",
        `${holds.length} legal hold(s) keep this person's records; release them first (GET /v1/subjects/{id}/legal-holds)`,
      ),
    );
  }
  const sections: SubjectErasure["sections"][number][] = [];
  for (const s of [...deps.sections.sections()].reverse()) {
    const r = await s.erase(trx, subject.subjectId);
    sections.unshift({ name: s.name, deleted: r.deleted, kept: r.kept, keptReason: r.keptReason ?? null });
  }
  await deps.vault.destroySubjectKey(trx, subject.subjectId);
  const numbered = await trx
    .selectFrom("subjects")
    .select("customer_number")
    .where("subject_id", "=", subject.subjectId)
    .executeTakeFirst();
  if (numbered?.customer_number != null) {
    await trx
      .deleteFrom("customer_numbers")
      .where("customer_number", "=", numbered.customer_number)
      .execute();
  }
  await trx
    .updateTable("subjects")
    .set((eb) => ({
      erased_at: now,
      updated_at: now,
      status: "former",
      birth_date: null,
      jurisdiction: null,
      customer_number: null,
      version: eb("version", "+", 1),
    }))
    .where("subject_id", "=", subject.subjectId)
    .execute();
  await markPeopleStale(trx, [subject.subjectId]);
  await appendAudit(trx, [
    {
      type: "subject.erased",
      at: now,
      actor: auditActor(acting.actor),
      subjectId: subject.subjectId,
      payload: { sections: sections.map((s) => ({ ...s })), keyDestroyed: true },
    },
  ]);
  const kept = sections
    .filter((s) => s.kept > 0)
    .map((s) => `${s.name}: ${s.kept} kept${s.keptReason === null ? "" : ` (${s.keptReason})`}`);
  return ok({ id: subject.subjectId, erasedAt: now.toISOString(), keyDestroyed: true, sections, kept });
}
