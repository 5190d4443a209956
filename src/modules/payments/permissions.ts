import type { Kysely } from "kysely";
import type { Permission } from "../../gate/types.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { recordConsent } from "../consent/consent.service.ts";

/**
 * Records that the customer granted or withdrew a permission (here `card_reuse`). Passed in, so
 * the payments module does not depend on how the ledger is reached; the default appends a
 * permission event to the consent ledger, which derives `subject_permissions` for the gate.
 */
export type PermissionRecorder = (
  db: Kysely<Database>,
  pack: PolicyPack,
  subjectId: string,
  change: { permission: Permission; granted: boolean; formId: string },
  ctx: { actor: string; now: Date },
) => Promise<void>;

export const recordPermissionInLedger: PermissionRecorder = async (db, pack, subjectId, change, ctx) => {
  await recordConsent(
    db,
    pack,
    subjectId,
    {
      targetKind: "permission",
      target: change.permission,
      action: change.granted ? "granted" : "withdrawn",
      source: "staff",
      evidence: { formId: change.formId },
    },
    ctx,
  );
};
