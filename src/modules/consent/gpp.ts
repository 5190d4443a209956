import { GppModel, UsNat, UsNatField } from "@iabgpp/cmpapi";
import type { PolicyPack } from "../../policy/schema.ts";
import { gpcScopes } from "./consent.targets.ts";
import type { OwnConsents } from "./gpc.ts";

/**
 * The person's opt-out state as an IAB Global Privacy Platform string with one section, `usnat`
 * (MSPA US National), encoded by the IAB's own library. Field by field (docs/gpc.md):
 *
 * - sale: the pack sells only with the person's permission (`sale.allowed: with_permission`), so
 *   SaleOptOut is 2 (did not opt out) while the sale permission is on file and 1 (opted out)
 *   otherwise; a pack that never sells says 0 (not applicable), notice included.
 * - sharing and targeted advertising: the sharing scopes of recipients outside the company
 *   (marketing partners, affiliates), which a GPC signal stops. SharingOptOut and
 *   TargetedAdvertisingOptOut are 1 when every one is stopped, 2 otherwise, 0 when the pack names
 *   none. The notices are 1 (given: the published policy says so) where the activity exists.
 * - sensitive data, children's consents, personal-data consent: 0. GPC does not reach them and
 *   the pack does not express them as usnat consents.
 * - MspaCoveredTransaction 2 (no): Pledge knows of no MSPA signature; the MSPA modes are 0.
 * - Gpc: true once a signal from the person is on file; the GPC segment is always included.
 */
export interface GppAnswer {
  readonly gpp: string;
  readonly sections: readonly string[];
}

/** GPP's two-bit values: not applicable, yes (given, opted out), no. */
const NA = 0;
const YES = 1;
const NO = 2;

export function usnatString(pack: PolicyPack, own: OwnConsents): GppAnswer {
  const { preferences } = own;
  const sells = pack.sale.allowed === "with_permission";
  const scopes = gpcScopes(pack);
  const shares = scopes.length > 0;
  const saleOptOut = !sells ? NA : preferences.permissions.includes("sale") ? NO : YES;
  const sharingOptOut = !shares ? NA : scopes.every((s) => preferences.optOuts.includes(s)) ? YES : NO;
  const fields: [UsNatField, number | boolean][] = [
    [UsNatField.SHARING_NOTICE, shares ? YES : NA],
    [UsNatField.SALE_OPT_OUT_NOTICE, sells ? YES : NA],
    [UsNatField.SHARING_OPT_OUT_NOTICE, shares ? YES : NA],
    [UsNatField.TARGETED_ADVERTISING_OPT_OUT_NOTICE, shares ? YES : NA],
    [UsNatField.SENSITIVE_DATA_PROCESSING_OPT_OUT_NOTICE, NA],
    [UsNatField.SENSITIVE_DATA_LIMIT_USE_NOTICE, NA],
    [UsNatField.SALE_OPT_OUT, saleOptOut],
    [UsNatField.SHARING_OPT_OUT, sharingOptOut],
    [UsNatField.TARGETED_ADVERTISING_OPT_OUT, sharingOptOut],
    [UsNatField.PERSONAL_DATA_CONSENTS, NA],
    [UsNatField.MSPA_COVERED_TRANSACTION, NO],
    [UsNatField.MSPA_OPT_OUT_OPTION_MODE, NA],
    [UsNatField.MSPA_SERVICE_PROVIDER_MODE, NA],
    [UsNatField.GPC_SEGMENT_INCLUDED, true],
    [UsNatField.GPC, own.gpc.at !== null],
  ];
  const model = new GppModel();
  for (const [field, value] of fields) model.setFieldValue(UsNat.NAME, field, value);
  return { gpp: model.encode(), sections: [UsNat.NAME] };
}
