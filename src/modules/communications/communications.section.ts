import type { Selectable } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import {
  sectionQuery,
  subquery,
  withDates,
  type JsonRow,
  type SubjectSection,
} from "../subjects/sections.ts";
import type { CommunicationsTable } from "./communications.table.ts";
import { allMessages, metadataOf } from "./communications.service.ts";

/** Communications: exported with their content (the person's own messages); deleted on erasure. */
export const communicationsSection: SubjectSection = {
  name: "communications",
  async export(trx, subjectId, cipher) {
    return (await allMessages(trx, subjectId)).map((r) => ({
      ...metadataOf(r),
      ...(cipher === null ? {} : { content: cipher.decrypt("message_content", r.content_enc) }),
    }));
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
    (rows, cipher) =>
      rows.map((json) => {
        const r = withDates(json, ["at"]);
        return {
          ...metadataOf(r),
          ...(cipher === null ? {} : { content: cipher.decrypt("message_content", r.content_enc) }),
        };
      }),
  ),
  async erase(trx, subjectId) {
    const result = await trx
      .deleteFrom("communications")
      .where("subject_id", "=", subjectId)
      .executeTakeFirst();
    return { deleted: Number(result.numDeletedRows), kept: 0 };
  },
};
