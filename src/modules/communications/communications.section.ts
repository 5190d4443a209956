import type { Selectable } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import {
  sectionQuery,
  subquery,
  withDates,
  type JsonRow,
  type SubjectSection,
} from "../subjects/sections.ts";
import type { FieldView } from "../../use/view.ts";
import type { CommunicationsTable } from "./communications.table.ts";
import { allMessages, metadataOf } from "./communications.service.ts";

/**
 * Communications: the metadata as far as the view allows it, the content only in the person's
 * own export (a staff use never reaches content but by opening one message, ZZ-11, ZZ-12);
 * deleted on erasure.
 */
function messageOf(r: Selectable<CommunicationsTable>, view: FieldView | null) {
  return {
    ...metadataOf(r),
    ...(view !== null && view.allows("message_content")
      ? { content: view.open("message_content", r.content_enc) }
      : {}),
  };
}

export const communicationsSection: SubjectSection = {
  name: "communications",
  fields: ["message_metadata", "message_content"],
  async export(trx, subjectId, view) {
    return (await allMessages(trx, subjectId)).map((r) => messageOf(r, view));
  },
  query: sectionQuery<JsonRow<Selectable<CommunicationsTable>>[]>(
    (subjectId) =>
      jsonArrayFrom(
        subquery
          .selectFrom("communications")
          .selectAll()
          .where("subject_id", "=", subjectId)
          .orderBy("at")
          .orderBy("message_id"),
      ),
    (rows, view) => rows.map((json) => messageOf(withDates(json, ["at"]), view)),
  ),
  async erase(trx, subjectId) {
    const result = await trx
      .deleteFrom("communications")
      .where("subject_id", "=", subjectId)
      .executeTakeFirst();
    return { deleted: Number(result.numDeletedRows), kept: 0 };
  },
};
