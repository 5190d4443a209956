import type { Selectable } from "kysely";
import { sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { sectionQuery, subquery, type JsonRow, type SubjectSection } from "../subjects/sections.ts";
import { presentEvent } from "./consent.present.ts";
import * as repo from "./consent.repository.ts";
import type { ConsentEventsTable } from "./consent.table.ts";
import type { Evidence } from "./consent.ts";

interface ConsentJson {
  events: JsonRow<Selectable<ConsentEventsTable>>[];
  consents: { scope: string; channel: string; state: string; updated_at: string }[];
  optOuts: { scope: string }[];
  permissions: { permission: string }[];
}

/**
 * The consent part of a subject's record, for access export and erasure: the whole ledger and
 * the current preferences. Erasure deletes both (the ledger and the gate's derived state); an
 * address the person unsubscribed stays on the Do Not Send list, which is not part of the record
 * (PS-05).
 */
export const consentSection: SubjectSection = {
  name: "consent",
  fields: [],
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
  query: sectionQuery<ConsentJson>(
    (subjectId) =>
      sql`json_build_object('events', ${jsonArrayFrom(
        subquery
          .selectFrom("consent_events")
          .selectAll()
          .where("subject_id", "=", subjectId)
          .orderBy("at")
          .orderBy("event_id")
          .limit(100_000),
      )}, 'consents', ${jsonArrayFrom(
        subquery
          .selectFrom("subject_consents")
          .select(["scope", "channel", "state", "updated_at"])
          .where("subject_id", "=", subjectId)
          .orderBy("scope")
          .orderBy("channel"),
      )}, 'optOuts', ${jsonArrayFrom(
        subquery
          .selectFrom("subject_opt_outs")
          .select("scope")
          .where("subject_id", "=", subjectId)
          .orderBy("scope"),
      )}, 'permissions', ${jsonArrayFrom(
        subquery
          .selectFrom("subject_permissions")
          .select("permission")
          .where("subject_id", "=", subjectId)
          .orderBy("permission"),
      )})`,
    (json) => ({
      events: json.events.map((r) =>
        presentEvent({
          subjectId: r.subject_id,
          eventId: r.event_id,
          targetKind: r.target_kind,
          target: r.target,
          channel: r.channel,
          action: r.action,
          source: r.source,
          policyVersion: r.policy_version,
          at: new Date(r.at),
          actor: r.actor,
          evidence: (typeof r.evidence === "string" ? JSON.parse(r.evidence) : r.evidence) as Evidence,
        }),
      ),
      preferences: {
        consents: json.consents.map((c) => ({
          scope: c.scope,
          channel: c.channel,
          state: c.state,
          updatedAt: new Date(c.updated_at).toISOString(),
        })),
        optOuts: json.optOuts.map((o) => o.scope),
        permissions: json.permissions.map((p) => p.permission),
      },
    }),
  ),
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
