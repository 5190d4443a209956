import type { Kysely, Transaction } from "kysely";
import type { FieldView } from "../../use/view.ts";
import type { Database } from "../../store/database.ts";
import type { CleanField, CleanIdentity } from "./subjects.values.ts";

/** SQL of the customer record's own tables. Every function takes the db or trx first. */
export { findLiveSubject, type SubjectRow } from "../../use/subject.ts";

type Db = Kysely<Database> | Transaction<Database>;

/** The subject (other than `except`) that already holds this email or phone, if any. */
export async function identityOwner(
  db: Db,
  kind: "email" | "phone",
  blindIndex: string,
  except: string | null,
): Promise<string | null> {
  let q = db
    .selectFrom("identity_claims")
    .where("blind_index", "=", blindIndex)
    .where("kind", "=", kind)
    .select("subject_id");
  if (except !== null) q = q.where("subject_id", "<>", except);
  return (await q.executeTakeFirst())?.subject_id ?? null;
}

/**
 * Deletes the subject's identities that `filter` selects, and releases the emails and phone
 * numbers among them for another person to claim. Returns how many identities went.
 */
export async function deleteIdentities(
  trx: Transaction<Database>,
  subjectId: string,
  filter: { readonly kind?: "email" | "phone" | "postal"; readonly blindIndex?: string } = {},
): Promise<number> {
  let q = trx.deleteFrom("subject_identities").where("subject_id", "=", subjectId);
  if (filter.kind !== undefined) q = q.where("kind", "=", filter.kind);
  if (filter.blindIndex !== undefined) q = q.where("blind_index", "=", filter.blindIndex);
  const gone = await q.returning(["kind", "blind_index"]).execute();
  for (const { kind, blind_index } of gone) {
    if (kind === "postal") continue;
    await trx
      .deleteFrom("identity_claims")
      .where("blind_index", "=", blind_index)
      .where("kind", "=", kind)
      .where("subject_id", "=", subjectId)
      .execute();
  }
  return gone.length;
}

/**
 * Claims an email or phone number for the subject. Another person's claim makes the insert fail
 * with a unique violation (`isUniqueViolation`), which also settles two sign-ups racing for one
 * address: the second waits for the first to commit, then fails. `fresh`: the subject was created
 * in this transaction and holds no claim yet, so whose the claim is need not be asked first.
 */
async function claimIdentity(
  trx: Transaction<Database>,
  subjectId: string,
  kind: "email" | "phone",
  blindIndex: string,
  fresh: boolean,
): Promise<void> {
  if (!fresh && (await identityOwner(trx, kind, blindIndex, null)) === subjectId) return;
  await trx
    .insertInto("identity_claims")
    .values({ blind_index: blindIndex, kind, subject_id: subjectId })
    .execute();
}

export interface Stamp {
  readonly collectionPoint: string;
  readonly purpose: string;
  readonly at: Date;
  readonly policyVersion: string;
}

/** The provenance every datum carries (Z16-02, ZM-02): where, why, when, and under which version. */
export function stampFor(
  input: { readonly collectionPoint: string; readonly purpose: string },
  at: Date,
  pack: { readonly version: string },
): Stamp {
  return { collectionPoint: input.collectionPoint, purpose: input.purpose, at, policyVersion: pack.version };
}

const stampColumns = (s: Stamp) => ({
  collection_point: s.collectionPoint,
  purpose: s.purpose,
  collected_at: s.at,
  policy_version: s.policyVersion,
});

/** Writes (or replaces) single-valued fields, encrypted, each with its provenance. */
export async function putFields(
  trx: Transaction<Database>,
  view: FieldView,
  fields: readonly CleanField[],
  stamp: Stamp,
): Promise<void> {
  if (fields.length === 0) return;
  const rows = fields.map((f) => ({
    subject_id: view.subjectId,
    field: f.field,
    value_enc: view.seal(f.field, f.value),
    ...stampColumns(stamp),
  }));
  await trx
    .insertInto("subject_fields")
    .values(rows)
    .onConflict((oc) =>
      oc.columns(["subject_id", "field"]).doUpdateSet((eb) => ({
        value_enc: eb.ref("excluded.value_enc"),
        collection_point: eb.ref("excluded.collection_point"),
        purpose: eb.ref("excluded.purpose"),
        collected_at: eb.ref("excluded.collected_at"),
        policy_version: eb.ref("excluded.policy_version"),
      })),
    )
    .execute();
}

export async function deleteFields(trx: Transaction<Database>, subjectId: string, names: readonly string[]) {
  if (names.length === 0) return;
  await trx
    .deleteFrom("subject_fields")
    .where("subject_id", "=", subjectId)
    .where("field", "in", names)
    .execute();
}

/**
 * Makes `identities` the subject's primary identity of each kind: the previous primary of that
 * kind is replaced. Postal identities are kept beside addresses and added, not replaced. `fresh`:
 * the subject was created in this transaction, so it has no identity to replace and no claim.
 */
export async function putIdentities(
  trx: Transaction<Database>,
  view: FieldView,
  identities: readonly CleanIdentity[],
  at: Date,
  fresh = false,
): Promise<void> {
  for (const id of identities) {
    if (id.kind !== "postal") {
      if (!fresh) await deleteIdentities(trx, view.subjectId, { kind: id.kind });
      await claimIdentity(trx, view.subjectId, id.kind, id.blindIndex, fresh);
    }
    await trx
      .insertInto("subject_identities")
      .values({
        subject_id: view.subjectId,
        kind: id.kind,
        blind_index: id.blindIndex,
        value_enc: view.seal(identityField(id.kind), id.value, `identity.${id.kind}`),
        is_primary: id.kind !== "postal",
        created_at: at,
      })
      .onConflict((oc) => oc.columns(["subject_id", "kind", "blind_index"]).doNothing())
      .execute();
  }
}

/** Bumps the record's version (its ETag) and returns the new one. */
export async function touch(trx: Transaction<Database>, subjectId: string, at: Date): Promise<number> {
  const row = await trx
    .updateTable("subjects")
    .set((eb) => ({ version: eb("version", "+", 1), updated_at: at }))
    .where("subject_id", "=", subjectId)
    .returning("version")
    .executeTakeFirstOrThrow();
  return row.version;
}

/** True when the driver refused a row for a unique index (another subject took the identity). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "23505";
}

/** The pack field an identity of each kind is a copy of. */
export function identityField(kind: "email" | "phone" | "postal"): string {
  return kind === "postal" ? "postal_address" : kind;
}
