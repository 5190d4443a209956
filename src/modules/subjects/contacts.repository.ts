import { randomUUID } from "node:crypto";
import type { Transaction } from "kysely";
import type { SubjectCipher } from "../../crypto/vault.types.ts";
import type { Database } from "../../store/database.ts";
import type { Stamp } from "./subjects.repository.ts";
import type { Provenance } from "./subjects.ts";

/** SQL of `subject_contacts`: each value encrypted bound to its contact id and part. */

export interface ContactValue {
  readonly name: string;
  readonly email: string | null;
  readonly phone: string | null;
}

export interface ContactRecord extends ContactValue {
  readonly contactId: string;
  readonly provenance: Provenance;
}

const part = (contactId: string, p: "name" | "email" | "phone") => `contact.${contactId}.${p}`;

export async function insertContact(
  trx: Transaction<Database>,
  cipher: SubjectCipher,
  contact: ContactValue,
  stamp: Stamp,
): Promise<string> {
  const contactId = randomUUID();
  await trx
    .insertInto("subject_contacts")
    .values({
      subject_id: cipher.subjectId,
      contact_id: contactId,
      name_enc: cipher.encrypt(part(contactId, "name"), contact.name),
      email_enc: contact.email === null ? null : cipher.encrypt(part(contactId, "email"), contact.email),
      phone_enc: contact.phone === null ? null : cipher.encrypt(part(contactId, "phone"), contact.phone),
      collection_point: stamp.collectionPoint,
      purpose: stamp.purpose,
      collected_at: stamp.at,
      policy_version: stamp.policyVersion,
    })
    .execute();
  return contactId;
}

/** Every contact; parts not in `allowed` (pack field names) come back null. */
export async function readContacts(
  trx: Transaction<Database>,
  cipher: SubjectCipher,
  allowed?: ReadonlySet<string>,
): Promise<ContactRecord[]> {
  const rows = await trx
    .selectFrom("subject_contacts")
    .where("subject_id", "=", cipher.subjectId)
    .selectAll()
    .orderBy("collected_at")
    .orderBy("contact_id")
    .execute();
  const may = (f: string) => allowed === undefined || allowed.has(f);
  return rows.map((r) => ({
    contactId: r.contact_id,
    name: may("first_name") ? cipher.decrypt(part(r.contact_id, "name"), r.name_enc) : "",
    email:
      r.email_enc !== null && may("email") ? cipher.decrypt(part(r.contact_id, "email"), r.email_enc) : null,
    phone:
      r.phone_enc !== null && may("phone") ? cipher.decrypt(part(r.contact_id, "phone"), r.phone_enc) : null,
    provenance: {
      collectionPoint: r.collection_point,
      purpose: r.purpose,
      collectedAt: new Date(r.collected_at).toISOString(),
      policyVersion: r.policy_version,
    },
  }));
}

export async function deleteContact(
  trx: Transaction<Database>,
  subjectId: string,
  contactId: string,
): Promise<boolean> {
  const r = await trx
    .deleteFrom("subject_contacts")
    .where("subject_id", "=", subjectId)
    .where("contact_id", "=", contactId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
