import { readSectionsAndKey } from "./sections.ts";
import { useSubject } from "./subjects.access.ts";
import type { SubjectsDeps } from "./subjects.service.ts";
import { auditActor, type Acting, type Result } from "./subjects.ts";
import { clausesOf } from "./subjects.gate.ts";

/** Everything held about a person, section by section, decrypted (ALL-04). */
export interface SubjectExport {
  readonly id: string;
  readonly exportedAt: string;
  readonly policy: { readonly company: string; readonly version: string };
  readonly clauses: readonly string[];
  /** Section name → what it holds; every registered section is present. */
  readonly sections: Readonly<Record<string, unknown>>;
}

/**
 * The access export: every registered section's content, the record's own tables included, with
 * each datum's provenance. The subject's data key and every section that offers its rows as SQL
 * are read in ONE statement, then decrypted in process (`readSectionsAndKey`). The gate is asked for a `read` for the stated
 * purpose (the request's ground: who may fulfil it, attested or not), and the export is audited
 * (`subject.exported`, section names only) with the decision, in the same transaction.
 */
export async function exportSubject(
  deps: SubjectsDeps,
  acting: Acting,
  input: { readonly subjectId: string; readonly purpose: string },
): Promise<Result<SubjectExport>> {
  const ask = { action: "read" as const, purpose: input.purpose, fields: [] };
  return useSubject(deps, acting, input.subjectId, ask, async ({ trx, subject, decision, now }) => {
    const sections = await readSectionsAndKey(trx, deps.sections.sections(), subject.subjectId, deps.vault);
    const names = Object.keys(sections);
    return {
      value: {
        id: subject.subjectId,
        exportedAt: now.toISOString(),
        policy: decision.policy,
        clauses: clausesOf(decision),
        sections,
      },
      events: [
        {
          type: "subject.exported",
          at: now,
          actor: auditActor(acting.actor),
          subjectId: subject.subjectId,
          payload: { purpose: input.purpose, sections: names },
        },
      ],
    };
  });
}
