import { sql } from "kysely";
import { jsonArrayFrom, jsonObjectFrom } from "kysely/helpers/postgres";
import type { FieldView } from "../../use/view.ts";
import { addressRecord, readAddresses } from "./addresses.repository.ts";
import { contactRecord, readContacts } from "./contacts.repository.ts";
import { sectionQuery, subquery, type SectionErasure, type SubjectSection } from "./sections.ts";
import { deleteIdentities, identityField } from "./subjects.repository.ts";
import { ADDRESS_KINDS, PROFILE_FIELDS, addressField, type AddressKind } from "./subjects.ts";

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
  fields: [...PROFILE_FIELDS, "customer_number"],
  async export(trx, subjectId, view) {
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
    return profileOf(subject ?? null, rows, view);
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
    ({ subject, fields }, view) => profileOf(subject, fields, view),
  ),
  async erase(trx, subjectId) {
    const r = await trx.deleteFrom("subject_fields").where("subject_id", "=", subjectId).executeTakeFirst();
    return deleted(r.numDeletedRows);
  },
};

export const identitiesSection: SubjectSection = {
  name: "identities",
  fields: ["email", "phone", "postal_address"],
  async export(trx, subjectId, view) {
    const rows = await trx
      .selectFrom("subject_identities")
      .where("subject_id", "=", subjectId)
      .selectAll()
      .orderBy("kind")
      .orderBy("created_at")
      .execute();
    return identitiesOf(rows, view);
  },
  query: sectionQuery<
    { kind: "email" | "phone" | "postal"; value_enc: string; is_primary: boolean; created_at: string }[]
  >(
    (subjectId) =>
      jsonArrayFrom(
        subquery
          .selectFrom("subject_identities")
          .where("subject_id", "=", subjectId)
          .select(["kind", "value_enc", "is_primary", "created_at"])
          .orderBy("kind")
          .orderBy("created_at"),
      ),
    (rows, view) => identitiesOf(rows, view),
  ),
  async erase(trx, subjectId) {
    return deleted(await deleteIdentities(trx, subjectId));
  },
};

export const addressesSection: SubjectSection = {
  name: "addresses",
  fields: ADDRESS_KINDS.map(addressField),
  async export(trx, _subjectId, view) {
    return view === null ? [] : readAddresses(trx, view);
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
    (rows, view) =>
      view === null
        ? []
        : rows.filter((r) => view.allows(addressField(r.kind))).map((r) => addressRecord(view, r)),
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
  fields: ["first_name", "last_name", "email", "phone"],
  async export(trx, _subjectId, view) {
    return view === null ? [] : readContacts(trx, view);
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
    (rows, view) => (view === null ? [] : rows.map((r) => contactRecord(view, r))),
  ),
  async erase(trx, subjectId) {
    const r = await trx.deleteFrom("subject_contacts").where("subject_id", "=", subjectId).executeTakeFirst();
    return deleted(r.numDeletedRows);
  },
};

interface SubjectColumns {
  status: string;
  customer_number: string | null;
  birth_date: string | null;
  jurisdiction: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  version: number;
  collection_point: string | null;
  purpose: string | null;
  policy_version: string | null;
}

/**
 * The record itself: its status, times and provenance always; the customer number, the fields
 * and their values as far as the view allows; the birth date and jurisdiction, which are no pack
 * field, only in the person's whole record.
 */
function profileOf(
  subject: SubjectColumns | null,
  rows: readonly (Provenanced<{ field: string; value_enc: string }> | ProvenancedRow)[],
  view: FieldView | null,
) {
  const whole = view?.whole === true;
  return {
    status: subject?.status ?? null,
    customerNumber: view?.allows("customer_number") === true ? (subject?.customer_number ?? null) : null,
    birthDate: whole ? (subject?.birth_date ?? null) : null,
    jurisdiction: whole ? (subject?.jurisdiction ?? null) : null,
    createdAt: subject ? new Date(subject.created_at).toISOString() : null,
    updatedAt: subject ? new Date(subject.updated_at).toISOString() : null,
    version: subject?.version ?? null,
    collectionPoint: subject?.collection_point ?? null,
    purpose: subject?.purpose ?? null,
    policyVersion: subject?.policy_version ?? null,
    fields: Object.fromEntries(
      rows
        .filter((r) => view === null || view.allows(r.field))
        .map((r) => [
          r.field,
          { value: view === null ? null : view.open(r.field, r.value_enc), ...provenance(r) },
        ]),
    ),
  };
}

type ProvenancedRow = {
  field: string;
  value_enc: string;
  collection_point: string;
  purpose: string;
  collected_at: Date;
  policy_version: string;
};

/** Identities the view allows: each is a copy of a field (email, phone, a postal address). */
function identitiesOf(
  rows: readonly {
    kind: "email" | "phone" | "postal";
    value_enc: string;
    is_primary: boolean;
    created_at: Date | string;
  }[],
  view: FieldView | null,
) {
  return rows
    .filter(
      (r) =>
        view === null || view.allows(identityField(r.kind)) || (r.kind === "postal" && postalAllowed(view)),
    )
    .map((r) => ({
      kind: r.kind,
      value: view === null ? null : view.open(postalFieldOf(r.kind, view), r.value_enc, `identity.${r.kind}`),
      isPrimary: r.is_primary,
      createdAt: new Date(r.created_at).toISOString(),
    }));
}

/** A postal identity is a copy of whichever address it came from: any allowed address field opens it. */
function postalAllowed(view: FieldView): boolean {
  return ADDRESS_KINDS.some((k) => view.allows(addressField(k)));
}

function postalFieldOf(kind: "email" | "phone" | "postal", view: FieldView): string {
  if (kind !== "postal") return kind;
  return ADDRESS_KINDS.map(addressField).find((f) => view.allows(f)) ?? "postal_address";
}

export const OWN_SECTIONS: readonly SubjectSection[] = [
  profileSection,
  identitiesSection,
  addressesSection,
  contactsSection,
];
