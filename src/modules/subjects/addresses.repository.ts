import { randomUUID } from "node:crypto";
import type { Transaction } from "kysely";
import type { SubjectCipher } from "../../crypto/vault.types.ts";
import type { Database } from "../../store/database.ts";
import type { Stamp } from "./subjects.repository.ts";
import type { AddressKind, Provenance } from "./subjects.ts";
import type { AddressValue, CleanAddress } from "./subjects.values.ts";

/** SQL of `subject_addresses`. The address JSON is encrypted bound to its own address id. */

export const addressCipherField = (addressId: string) => `address.${addressId}`;

/**
 * Stores an address and makes its normalised form one of the subject's postal identities (the
 * Do Not Send list and removal requests match on it). Returns the new address id.
 */
export async function insertAddress(
  trx: Transaction<Database>,
  cipher: SubjectCipher,
  kind: AddressKind,
  address: CleanAddress,
  stamp: Stamp,
): Promise<string> {
  const addressId = randomUUID();
  await trx
    .insertInto("subject_addresses")
    .values({
      subject_id: cipher.subjectId,
      address_id: addressId,
      kind,
      value_enc: cipher.encrypt(addressCipherField(addressId), address.json),
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
      subject_id: cipher.subjectId,
      kind: "postal",
      blind_index: address.blindIndex,
      value_enc: cipher.encrypt("identity.postal", address.canonical),
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

export async function readAddresses(
  trx: Transaction<Database>,
  cipher: SubjectCipher,
  kinds: readonly AddressKind[],
): Promise<AddressRecord[]> {
  if (kinds.length === 0) return [];
  const rows = await trx
    .selectFrom("subject_addresses")
    .where("subject_id", "=", cipher.subjectId)
    .where("kind", "in", kinds)
    .selectAll()
    .orderBy("collected_at")
    .orderBy("address_id")
    .execute();
  return rows.map((r) => ({
    addressId: r.address_id,
    kind: r.kind,
    address: JSON.parse(cipher.decrypt(addressCipherField(r.address_id), r.value_enc)) as AddressValue,
    provenance: {
      collectionPoint: r.collection_point,
      purpose: r.purpose,
      collectedAt: new Date(r.collected_at).toISOString(),
      policyVersion: r.policy_version,
    },
  }));
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
    await trx
      .deleteFrom("subject_identities")
      .where("subject_id", "=", subjectId)
      .where("kind", "=", "postal")
      .where("blind_index", "=", gone.blind_index)
      .execute();
  }
  return gone.kind;
}
