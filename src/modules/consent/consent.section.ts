import type { SubjectSection } from "../subjects/sections.ts";
import { presentEvent } from "./consent.present.ts";
import * as repo from "./consent.repository.ts";

/**
 * The consent part of a subject's record, for access export and erasure: the whole ledger and
 * the current preferences. Erasure deletes both (the ledger and the gate's derived state); an
 * address the person unsubscribed stays on the Do Not Send list, which is not part of the record
 * (PS-05).
 */
export const consentSection: SubjectSection = {
  name: "consent",
  async export(trx, subjectId) {
    const events = await repo.history(trx, subjectId, 100_000, null);
    const preferences = await repo.preferences(trx, subjectId);
    return {
      events: events.map(presentEvent),
      preferences: {
        consents: preferences.consents.map((c) => ({ ...c, updatedAt: c.updatedAt.toISOString() })),
        optOuts: preferences.optOuts,
        permissions: preferences.permissions,
      },
    };
  },
  async erase(trx, subjectId) {
    let deleted = 0;
    for (const table of [
      "consent_events",
      "subject_consents",
      "subject_opt_outs",
      "subject_permissions",
    ] as const) {
      const result = await trx.deleteFrom(table).where("subject_id", "=", subjectId).executeTakeFirst();
      deleted += Number(result.numDeletedRows);
    }
    return { deleted, kept: 0 };
  },
};
