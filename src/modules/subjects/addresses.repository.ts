import { randomUUID } from "node:crypto";
import type { Transaction } from "kysely";
import type { FieldView } from "../../use/view.ts";
import type { Database } from "../../store/database.ts";
import { deleteIdentities, type Stamp } from "./subjects.repository.ts";
import { ADDRESS_KINDS, addressField, type AddressKind, type Provenance } from "./subjects.ts";
import type { AddressValue, CleanAddress } from "./subjects.values.ts";

/** SQL of `subject_addresses`. The address JSON is encrypted bound to its own address id. */

export const addressCipherField = (addressId: string) => `address.${addressId}`;

/**
 * Stores an address and makes its normalised form one of the subject's postal identities (the
 * Do Not Send list and removal requests match on it). Returns the new address id.
 */
export async function insertAddress(
  trx: Transaction<Database>,
  view: FieldView,
  kind: AddressKind,
  address: CleanAddress,
  stamp: Stamp,
): Promise<string> {
  const addressId = randomUUID();
  const field = addressField(kind);
  await trx
    .insertInto("subject_addresses")
    .values({
      subject_id: view.subjectId,
      address_id: addressId,
      kind,
      value_enc: view.seal(field, address.json, addressCipherField(addressId)),
      blind_index: address.blindIndex,
      collection_point: stamp.collectionPoint,
      purpose: stamp.purpose,
      collected_at: stamp.at,
      policy_version: stamp.policyVersion,
    })
    .execute();
  await trx
    .insertInto("subject_identities")
    .values({
      subject_id: view.subjectId,
      kind: "postal",
      blind_index: address.blindIndex,
      value_enc: view.seal(field, address.canonical, "identity.postal"),
      is_primary: false,
      created_at: stamp.at,
    })
    .onConflict((oc) => oc.columns(["subject_id", "kind", "blind_index"]).doNothing())
    .execute();
  return addressId;
}

export interface AddressRecord {
  readonly addressId: string;
  readonly kind: AddressKind;
  readonly address: AddressValue;
  readonly provenance: Provenance;
}

/** The addresses of the kinds the view allows (every kind for the person's whole record). */
export async function readAddresses(trx: Transaction<Database>, view: FieldView): Promise<AddressRecord[]> {
  const kinds = ADDRESS_KINDS.filter((k) => view.allows(addressField(k)));
  if (kinds.length === 0) return [];
  const rows = await trx
    .selectFrom("subject_addresses")
    .where("subject_id", "=", view.subjectId)
    .where("kind", "in", kinds)
    .selectAll()
    .orderBy("collected_at")
    .orderBy("address_id")
    .execute();
  return rows.map((r) => addressRecord(view, r));
}

/** An address row as it leaves: its value opened through the view, with its provenance. */
export function addressRecord(
  view: FieldView,
  r: {
    address_id: string;
    kind: AddressKind;
    value_enc: string;
    collection_point: string;
    purpose: string;
    collected_at: Date | string;
    policy_version: string;
  },
): AddressRecord {
  return {
    addressId: r.address_id,
    kind: r.kind,
    address: JSON.parse(
      view.open(addressField(r.kind), r.value_enc, addressCipherField(r.address_id)),
    ) as AddressValue,
    provenance: {
      collectionPoint: r.collection_point,
      purpose: r.purpose,
      collectedAt: new Date(r.collected_at).toISOString(),
      policyVersion: r.policy_version,
    },
  };
}

/** Removes an address, and its postal identity when no other address of the subject shares it. */
export async function deleteAddress(
  trx: Transaction<Database>,
  subjectId: string,
  addressId: string,
): Promise<AddressKind | null> {
  const gone = await trx
    .deleteFrom("subject_addresses")
    .where("subject_id", "=", subjectId)
    .where("address_id", "=", addressId)
    .returning(["kind", "blind_index"])
    .executeTakeFirst();
  if (gone === undefined) return null;
  const shared = await trx
    .selectFrom("subject_addresses")
    .where("subject_id", "=", subjectId)
    .where("blind_index", "=", gone.blind_index)
    .select("address_id")
    .executeTakeFirst();
  if (shared === undefined) {
    await deleteIdentities(trx, subjectId, { kind: "postal", blindIndex: gone.blind_index });
  }
  return gone.kind;
}
