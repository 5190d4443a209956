import {
  expressionBuilder,
  type AliasableExpression,
  type AliasedExpression,
  type Transaction,
} from "kysely";
import { jsonObjectFrom } from "kysely/helpers/postgres";
import type { SubjectCipher, SubjectKeyRow, Vault } from "../../crypto/vault.types.ts";
import type { FieldView } from "../../use/view.ts";
import type { Database } from "../../store/database.ts";

/**
 * A part of a subject's record held in its own tables (profile, addresses, orders, payment
 * methods, communications, consent history, …). Access export and erasure walk every registered
 * section, so a module that stores a subject's data registers one and nothing is forgotten.
 */
export interface SubjectSection {
  /** Name in the export document, e.g. "orders". */
  readonly name: string;
  /**
   * The pack fields the section holds. An export for a purpose includes the section only when
   * the decision allows one of them; a section holding none (the consent history, the ledger,
   * the account) is part of the person's own access export only.
   */
  readonly fields: readonly string[];
  /**
   * What the section holds about the subject, projected to what `view` allows (every value when
   * the view is the person's whole record); nothing encrypted when `view` is null.
   */
  export(trx: Transaction<Database>, subjectId: string, view: FieldView | null): Promise<unknown>;
  /** The same export as SQL, read with every other section's in one statement (`SectionQuery`). */
  readonly query?: SectionQuery;
  /**
   * Removes what may be removed. Records the law requires to be kept (orders, invoices) stay,
   * and the result says so: `kept` with the reason, so the erasure report tells the person.
   */
  erase(trx: Transaction<Database>, subjectId: string): Promise<SectionErasure>;
}

export interface SectionErasure {
  readonly deleted: number;
  readonly kept: number;
  /** Why kept rows were kept (e.g. "orders are kept 7 years for tax law"); absent when none. */
  readonly keptReason?: string;
}

/**
 * A section's export as one SQL expression, so the access export reads every section of a record
 * in ONE statement and decrypts in process. `select` gives the section's rows as JSON (a scalar
 * subquery over the subject id, e.g. `jsonArrayFrom(...)`); `present` turns that JSON into
 * exactly what the section's `export` returns. Timestamps arrive as JSON text: `new Date(text)`
 * gives the same milliseconds as the driver's own parsing.
 */
export interface SectionQuery {
  select(subjectId: string): AliasableExpression<unknown>;
  present(json: unknown, view: FieldView | null): unknown;
}

/** Builds subqueries over the store's tables for a `SectionQuery`. */
export const subquery = expressionBuilder<Database, never>();

/** A `SectionQuery` whose JSON has the type `J` (a row type with its Date columns as `string`). */
export function sectionQuery<J>(
  select: (subjectId: string) => AliasableExpression<unknown>,
  present: (json: J, view: FieldView | null) => unknown,
): SectionQuery {
  return { select, present: (json, view) => present(json as J, view) };
}

/** The sections an export for a purpose reaches: those holding one of the allowed fields. */
export function sectionsFor(
  sections: readonly SubjectSection[],
  allowed: readonly string[],
): SubjectSection[] {
  return sections.filter((s) => s.fields.some((f) => allowed.includes(f)));
}

/** A row as JSON carries it: Date columns become ISO text. */
export type JsonRow<T> = {
  [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K];
};

/** Reads every section's export: those with a `query` in ONE statement, the others one by one. */
export async function readSections(
  trx: Transaction<Database>,
  sections: readonly SubjectSection[],
  subjectId: string,
  view: FieldView | null,
): Promise<Record<string, unknown>> {
  const row = await batchedRow(trx, sections, subjectId, []);
  return present(trx, sections, subjectId, view, row);
}

/**
 * `readSections` with the subject's data key read in the same statement (the access export):
 * one round trip for the key and every section that offers SQL.
 */
export async function readSectionsAndKey(
  trx: Transaction<Database>,
  sections: readonly SubjectSection[],
  subjectId: string,
  vault: Pick<Vault, "cipherFromRow">,
  narrow: (cipher: SubjectCipher) => FieldView,
): Promise<Record<string, unknown>> {
  const key = jsonObjectFrom(
    subquery
      .selectFrom("subject_keys")
      .select(["subject_id", "master_key_id", "wrapped_key"])
      .where("subject_id", "=", subjectId),
  ).as("subject_key");
  const row = await batchedRow(trx, sections, subjectId, [key]);
  const keyRow = row.subject_key as SubjectKeyRow | null | undefined;
  const view = keyRow ? narrow(vault.cipherFromRow(keyRow)) : null;
  return present(trx, sections, subjectId, view, row);
}

async function batchedRow(
  trx: Transaction<Database>,
  sections: readonly SubjectSection[],
  subjectId: string,
  extra: readonly AliasedExpression<unknown, string>[],
): Promise<Record<string, unknown>> {
  const columns = [
    ...extra,
    ...sections.flatMap((s, i) => (s.query === undefined ? [] : [s.query.select(subjectId).as(`s${i}`)])),
  ];
  if (columns.length === 0) return {};
  return (await trx.selectNoFrom(columns).executeTakeFirstOrThrow()) as Record<string, unknown>;
}

async function present(
  trx: Transaction<Database>,
  sections: readonly SubjectSection[],
  subjectId: string,
  view: FieldView | null,
  row: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [i, s] of sections.entries()) {
    out[s.name] =
      s.query === undefined ? await s.export(trx, subjectId, view) : s.query.present(row[`s${i}`], view);
  }
  return out;
}

/** The row a `JsonRow` came from: its named Date columns parsed back from text. */
export function withDates<T>(row: JsonRow<T>, keys: readonly (keyof T)[]): T {
  const out = { ...row } as Record<keyof T, unknown>;
  for (const k of keys) if (typeof out[k] === "string") out[k] = new Date(out[k] as string);
  return out as T;
}
