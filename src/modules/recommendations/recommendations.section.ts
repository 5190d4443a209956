import type { SubjectSection } from "../subjects/sections.ts";
import { allViews, deleteAllViews } from "./recommendations.repository.ts";
import { VIEW_FIELD, type ProductView } from "./recommendations.ts";

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
    const rows = await allViews(trx, subjectId);
    return rows.map((r) => ({
      ...(JSON.parse(view.open(VIEW_FIELD, r.view_enc)) as ProductView),
      at: r.at.toISOString(),
      policyVersion: r.policy_version,
    }));
  },
  async erase(trx, subjectId) {
    return { deleted: await deleteAllViews(trx, subjectId), kept: 0 };
  },
};
