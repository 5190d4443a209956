import { sql } from "kysely";
import { jsonArrayFrom, jsonObjectFrom } from "kysely/helpers/postgres";
import type { SubjectCipher } from "../../crypto/vault.types.ts";
import { addressCipherField, readAddresses } from "./addresses.repository.ts";
import { readContacts } from "./contacts.repository.ts";
import { sectionQuery, subquery, type SectionErasure, type SubjectSection } from "./sections.ts";
import { ADDRESS_KINDS, type AddressKind } from "./subjects.ts";
import type { AddressValue } from "./subjects.values.ts";

/**
 * The record's own sections. Erasure deletes every row: nothing here is a record the law makes
 * anyone keep (orders and invoices live in their own sections, which say what they keep).
 */
const provenance = (r: {
  collection_point: string;
  purpose: string;
  collected_at: Date | string;
  policy_version: string;
}) => ({
  collectionPoint: r.collection_point,
  purpose: r.purpose,
  collectedAt: new Date(r.collected_at).toISOString(),
  policyVersion: r.policy_version,
});

/** The provenance columns every datum carries, as the JSON of a `SectionQuery` has them. */
const PROVENANCE = ["collection_point", "purpose", "collected_at", "policy_version"] as const;
type Provenanced<T> = T & {
  collection_point: string;
  purpose: string;
  collected_at: string;
  policy_version: string;
};

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
  query: sectionQuery<{
    subject: {
      status: string;
      customer_number: string | null;
      birth_date: string | null;
      jurisdiction: string | null;
      created_at: string;
      updated_at: string;
      version: number;
      collection_point: string | null;
      purpose: string | null;
      policy_version: string | null;
    } | null;
    fields: Provenanced<{ field: string; value_enc: string }>[];
  }>(
    (subjectId) =>
      sql`json_build_object('subject', ${jsonObjectFrom(
        subquery
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
          ]),
      )}, 'fields', ${jsonArrayFrom(
        subquery
          .selectFrom("subject_fields")
          .where("subject_id", "=", subjectId)
          .select(["field", "value_enc", ...PROVENANCE]),
      )})`,
    ({ subject, fields }, cipher) => ({
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
        fields.map((r) => [r.field, { value: open(cipher, r.field, r.value_enc), ...provenance(r) }]),
      ),
    }),
  ),
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
  query: sectionQuery<{ kind: string; value_enc: string; is_primary: boolean; created_at: string }[]>(
    (subjectId) =>
      jsonArrayFrom(
        subquery
          .selectFrom("subject_identities")
          .where("subject_id", "=", subjectId)
          .select(["kind", "value_enc", "is_primary", "created_at"])
          .orderBy("kind")
          .orderBy("created_at"),
      ),
    (rows, cipher) =>
      rows.map((r) => ({
        kind: r.kind,
        value: open(cipher, `identity.${r.kind}`, r.value_enc),
        isPrimary: r.is_primary,
        createdAt: new Date(r.created_at).toISOString(),
      })),
  ),
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
  query: sectionQuery<Provenanced<{ address_id: string; kind: AddressKind; value_enc: string }>[]>(
    (subjectId) =>
      jsonArrayFrom(
        subquery
          .selectFrom("subject_addresses")
          .where("subject_id", "=", subjectId)
          .where("kind", "in", ADDRESS_KINDS)
          .select(["address_id", "kind", "value_enc", ...PROVENANCE])
          .orderBy("collected_at")
          .orderBy("address_id"),
      ),
    (rows, cipher) =>
      cipher === null
        ? []
        : rows.map((r) => ({
            addressId: r.address_id,
            kind: r.kind,
            address: JSON.parse(
              cipher.decrypt(addressCipherField(r.address_id), r.value_enc),
            ) as AddressValue,
            provenance: provenance(r),
          })),
  ),
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
  query: sectionQuery<
    Provenanced<{
      contact_id: string;
      name_enc: string;
      email_enc: string | null;
      phone_enc: string | null;
    }>[]
  >(
    (subjectId) =>
      jsonArrayFrom(
        subquery
          .selectFrom("subject_contacts")
          .where("subject_id", "=", subjectId)
          .select(["contact_id", "name_enc", "email_enc", "phone_enc", ...PROVENANCE])
          .orderBy("collected_at")
          .orderBy("contact_id"),
      ),
    (rows, cipher) => {
      if (cipher === null) return [];
      const part = (id: string, p: string) => `contact.${id}.${p}`;
      return rows.map((r) => ({
        contactId: r.contact_id,
        name: cipher.decrypt(part(r.contact_id, "name"), r.name_enc),
        email: r.email_enc === null ? null : cipher.decrypt(part(r.contact_id, "email"), r.email_enc),
        phone: r.phone_enc === null ? null : cipher.decrypt(part(r.contact_id, "phone"), r.phone_enc),
        provenance: provenance(r),
      }));
    },
  ),
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
