import { sql } from "kysely";
import type { SubjectCipher } from "../../crypto/vault.types.ts";
import { readAddresses } from "./addresses.repository.ts";
import { readContacts } from "./contacts.repository.ts";
import type { SectionErasure, SubjectSection } from "./sections.ts";
import { ADDRESS_KINDS } from "./subjects.ts";

/**
 * The record's own sections. Erasure deletes every row: nothing here is a record the law makes
 * anyone keep (orders and invoices live in their own sections, which say what they keep).
 */
const provenance = (r: {
  collection_point: string;
  purpose: string;
  collected_at: Date;
  policy_version: string;
}) => ({
  collectionPoint: r.collection_point,
  purpose: r.purpose,
  collectedAt: new Date(r.collected_at).toISOString(),
  policyVersion: r.policy_version,
});

const deleted = (n: bigint | number | undefined): SectionErasure => ({ deleted: Number(n ?? 0), kept: 0 });

export const profileSection: SubjectSection = {
  name: "profile",
  async export(trx, subjectId, cipher) {
    const subject = await trx
      .selectFrom("subjects")
      .where("subject_id", "=", subjectId)
      .select([
        "status",
        "customer_number",
        sql<string | null>`to_char(birth_date, 'YYYY-MM-DD')`.as("birth_date"),
        "jurisdiction",
        "created_at",
        "updated_at",
        "version",
        "collection_point",
        "purpose",
        "policy_version",
      ])
      .executeTakeFirst();
    const rows = await trx
      .selectFrom("subject_fields")
      .where("subject_id", "=", subjectId)
      .selectAll()
      .execute();
    return {
      status: subject?.status ?? null,
      customerNumber: subject?.customer_number ?? null,
      birthDate: subject?.birth_date ?? null,
      jurisdiction: subject?.jurisdiction ?? null,
      createdAt: subject ? new Date(subject.created_at).toISOString() : null,
      updatedAt: subject ? new Date(subject.updated_at).toISOString() : null,
      version: subject?.version ?? null,
      collectionPoint: subject?.collection_point ?? null,
      purpose: subject?.purpose ?? null,
      policyVersion: subject?.policy_version ?? null,
      fields: Object.fromEntries(
        rows.map((r) => [r.field, { value: open(cipher, r.field, r.value_enc), ...provenance(r) }]),
      ),
    };
  },
  async erase(trx, subjectId) {
    const r = await trx.deleteFrom("subject_fields").where("subject_id", "=", subjectId).executeTakeFirst();
    return deleted(r.numDeletedRows);
  },
};

export const identitiesSection: SubjectSection = {
  name: "identities",
  async export(trx, subjectId, cipher) {
    const rows = await trx
      .selectFrom("subject_identities")
      .where("subject_id", "=", subjectId)
      .selectAll()
      .orderBy("kind")
      .orderBy("created_at")
      .execute();
    return rows.map((r) => ({
      kind: r.kind,
      value: open(cipher, `identity.${r.kind}`, r.value_enc),
      isPrimary: r.is_primary,
      createdAt: new Date(r.created_at).toISOString(),
    }));
  },
  async erase(trx, subjectId) {
    const r = await trx
      .deleteFrom("subject_identities")
      .where("subject_id", "=", subjectId)
      .executeTakeFirst();
    return deleted(r.numDeletedRows);
  },
};

export const addressesSection: SubjectSection = {
  name: "addresses",
  async export(trx, _subjectId, cipher) {
    return cipher === null ? [] : readAddresses(trx, cipher, ADDRESS_KINDS);
  },
  async erase(trx, subjectId) {
    const r = await trx
      .deleteFrom("subject_addresses")
      .where("subject_id", "=", subjectId)
      .executeTakeFirst();
    return deleted(r.numDeletedRows);
  },
};

export const contactsSection: SubjectSection = {
  name: "contacts",
  async export(trx, _subjectId, cipher) {
    return cipher === null ? [] : readContacts(trx, cipher);
  },
  async erase(trx, subjectId) {
    const r = await trx.deleteFrom("subject_contacts").where("subject_id", "=", subjectId).executeTakeFirst();
    return deleted(r.numDeletedRows);
  },
};

function open(cipher: SubjectCipher | null, field: string, text: string): string | null {
  return cipher === null ? null : cipher.decrypt(field, text);
}

export const OWN_SECTIONS: readonly SubjectSection[] = [
  profileSection,
  identitiesSection,
  addressesSection,
  contactsSection,
];
