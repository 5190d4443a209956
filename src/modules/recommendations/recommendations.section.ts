import { jsonArrayFrom } from "kysely/helpers/postgres";
import type { FieldView } from "../../use/view.ts";
import { sectionQuery, subquery, type JsonRow, type SubjectSection } from "../subjects/sections.ts";
import { allViews, deleteAllViews, type ProductViewRow } from "./recommendations.repository.ts";
import { VIEW_FIELD, type ProductView } from "./recommendations.ts";

type Row = Pick<ProductViewRow, "view_enc" | "at" | "policy_version">;

/**
 * The customer's own product views (Z16-08): in the person's own access export and the data
 * package of an access request (every view, decrypted), deleted by erasure. The section holds no
 * pack field an export for a purpose reaches (`fields` is empty), so no staff export ever
 * includes it: only the customer uses these views.
 */
export const productViewsSection: SubjectSection = {
  name: "product_views",
  fields: [],
  async export(trx, subjectId, view) {
    if (view === null || !view.whole) return [];
    return viewsOf(await allViews(trx, subjectId), view);
  },
  query: sectionQuery<JsonRow<Row>[]>(
    (subjectId) =>
      jsonArrayFrom(
        subquery
          .selectFrom("product_views")
          .select(["view_enc", "at", "policy_version"])
          .where("subject_id", "=", subjectId)
          .orderBy("at")
          .orderBy("view_id"),
      ),
    (rows, view) =>
      view === null || !view.whole
        ? []
        : viewsOf(
            rows.map((r) => ({ ...r, at: new Date(r.at) })),
            view,
          ),
  ),
  async erase(trx, subjectId) {
    return { deleted: await deleteAllViews(trx, subjectId), kept: 0 };
  },
};

function viewsOf(rows: readonly Row[], view: FieldView) {
  return rows.map((r) => ({
    ...(JSON.parse(view.open(VIEW_FIELD, r.view_enc)) as ProductView),
    at: r.at.toISOString(),
    policyVersion: r.policy_version,
  }));
}
