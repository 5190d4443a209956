import { randomUUID } from "node:crypto";
import type { Transaction } from "kysely";
import type { FieldView } from "../../use/view.ts";
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
  view: FieldView,
  contact: ContactValue,
  stamp: Stamp,
): Promise<string> {
  const contactId = randomUUID();
  await trx
    .insertInto("subject_contacts")
    .values({
      subject_id: view.subjectId,
      contact_id: contactId,
      name_enc: view.seal("first_name", contact.name, part(contactId, "name")),
      email_enc: contact.email === null ? null : view.seal("email", contact.email, part(contactId, "email")),
      phone_enc: contact.phone === null ? null : view.seal("phone", contact.phone, part(contactId, "phone")),
      collection_point: stamp.collectionPoint,
      purpose: stamp.purpose,
      collected_at: stamp.at,
      policy_version: stamp.policyVersion,
    })
    .execute();
  return contactId;
}

/** Every contact; parts the view does not allow come back empty (a name) or null. */
export async function readContacts(trx: Transaction<Database>, view: FieldView): Promise<ContactRecord[]> {
  const rows = await trx
    .selectFrom("subject_contacts")
    .where("subject_id", "=", view.subjectId)
    .selectAll()
    .orderBy("collected_at")
    .orderBy("contact_id")
    .execute();
  return rows.map((r) => contactRecord(view, r));
}

/** A contact row as it leaves, each part opened through the view when it allows it. */
export function contactRecord(
  view: FieldView,
  r: {
    contact_id: string;
    name_enc: string;
    email_enc: string | null;
    phone_enc: string | null;
    collection_point: string;
    purpose: string;
    collected_at: Date | string;
    policy_version: string;
  },
): ContactRecord {
  const may = (f: string) => view.allows(f);
  return {
    contactId: r.contact_id,
    name: may("first_name") ? view.open("first_name", r.name_enc, part(r.contact_id, "name")) : "",
    email:
      r.email_enc !== null && may("email")
        ? view.open("email", r.email_enc, part(r.contact_id, "email"))
        : null,
    phone:
      r.phone_enc !== null && may("phone")
        ? view.open("phone", r.phone_enc, part(r.contact_id, "phone"))
        : null,
    provenance: {
      collectionPoint: r.collection_point,
      purpose: r.purpose,
      collectedAt: new Date(r.collected_at).toISOString(),
      policyVersion: r.policy_version,
    },
  };
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
