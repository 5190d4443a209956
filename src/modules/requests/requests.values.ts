import type { Kysely } from "kysely";
import type { Vault } from "../../crypto/vault.types.ts";
import type { Database } from "../../store/database.ts";
import type { RequestDetails } from "./requests.ts";
import type { RequestRow } from "./requests.transition.ts";

/**
 * A request's own encrypted values: what the person gave to be found by, what the kind needs, and
 * the address notices go to, each sealed under the request's data key with its field name.
 */
export const valueField = (id: string, name: "claimant" | "details" | "contact") => `request.${id}.${name}`;

/**
 * The request's own encrypted values, opened (staff review, notices); none for a request that
 * stores nothing encrypted (a list removal); null when its key was destroyed.
 */
export async function openedValues(
  db: Kysely<Database>,
  vault: Pick<Vault, "cipherFor">,
  row: RequestRow,
): Promise<{ details: RequestDetails; contact: string | null } | null> {
  if (row.key_id === null) return { details: {}, contact: null };
  const cipher = await vault.cipherFor(db, row.key_id);
  if (cipher === null) return null;
  return {
    details:
      row.details_enc === null
        ? {}
        : (JSON.parse(
            cipher.decrypt(valueField(row.request_id, "details"), row.details_enc),
          ) as RequestDetails),
    contact:
      row.contact_enc === null
        ? null
        : cipher.decrypt(valueField(row.request_id, "contact"), row.contact_enc),
  };
}
