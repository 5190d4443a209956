import { CompiledQuery, type Kysely } from "kysely";
import type { SubjectCipher, SubjectKeyRow, Vault } from "../../crypto/vault.types.ts";
import type { FieldView } from "../../use/view.ts";
import type { Database } from "../../store/database.ts";
import { addressCipherField } from "../subjects/addresses.repository.ts";
import type { AddressValue } from "../subjects/subjects.values.ts";
import { PROFILE_FIELDS, type AddressKind } from "../subjects/subjects.ts";

/**
 * Reads the records of the people a disclosure concerned, decrypted, a page at a time: the rows
 * sent are exactly the ledger's `disclosure_subjects`, never a second evaluation of the audience.
 * One query a page (keyset on the ledger's primary key, each person joined to their wrapped key,
 * their fields and the first address of each kind), so a list of any length streams in constant
 * memory; the next page is asked for before the current one is decrypted, so on PostgreSQL the
 * database works while this process decrypts.
 */

/** Fields a disclosure can carry from the record: single-valued fields, customer number, addresses. */
const ADDRESS_FIELDS: Readonly<Record<string, AddressKind>> = {
  postal_address: "postal",
  billing_address: "billing",
  shipping_address: "shipping",
};
const PROFILE = new Set<string>(PROFILE_FIELDS);

export function isRecordField(field: string): boolean {
  return PROFILE.has(field) || field === "customer_number" || field in ADDRESS_FIELDS;
}

/** An address on one line, as a mail house prints it. */
export function addressLine(a: AddressValue): string {
  return [
    a.line1,
    a.line2,
    a.city,
    a.region === null ? null : `${a.region} ${a.postalCode}`,
    a.region === null ? a.postalCode : null,
    a.country,
  ]
    .filter((p): p is string => p !== null && p !== "")
    .join(", ");
}

export interface RecordPage {
  readonly subjectIds: readonly string[];
  /** One row per person, the values in the order of `fields` ('' when the record has none). */
  readonly rows: readonly (readonly string[])[];
}

export interface ReadOptions {
  readonly pageSize?: number;
}

type PageRow = Record<string, string | null>;

/** How one column of the list is read: its alias in the page query and how it is opened. */
interface Column {
  readonly kind: "plain" | "field" | "address" | "none";
  readonly field: string;
  /** Alias of the value (ciphertext, or the customer number) in the page query. */
  readonly value: string;
  /** Alias of the address id (addresses only). */
  readonly id: string;
}

/**
 * The page query, built once per list: `$1` the disclosure, `$2` the last subject id of the
 * previous page, `$3` the page size, then one parameter per field name or address kind. A
 * subject without a key row (erased) comes back with a null key and is left out by the reader.
 */
function pageQuery(fields: readonly string[]): { text: string; names: string[]; columns: Column[] } {
  const select = ["ds.subject_id", "k.master_key_id", "k.wrapped_key"];
  const joins: string[] = [];
  const names: string[] = [];
  const columns: Column[] = [];
  fields.forEach((field, i) => {
    const value = `v${i}`;
    if (field === "customer_number") {
      joins.push(`left join subjects s${i} on s${i}.subject_id = ds.subject_id`);
      select.push(`s${i}.customer_number as ${value}`);
      columns.push({ kind: "plain", field, value, id: "" });
    } else if (field in ADDRESS_FIELDS) {
      names.push(ADDRESS_FIELDS[field] as string);
      // The first address of the kind collected is the one sent.
      joins.push(
        `left join lateral (select x.address_id, x.value_enc from subject_addresses x
          where x.subject_id = ds.subject_id and x.kind = $${names.length + 3}
          order by x.collected_at, x.address_id limit 1) a${i} on true`,
      );
      select.push(`a${i}.address_id as i${i}`, `a${i}.value_enc as ${value}`);
      columns.push({ kind: "address", field, value, id: `i${i}` });
    } else if (!PROFILE.has(field)) {
      columns.push({ kind: "none", field, value: "", id: "" });
    } else {
      names.push(field);
      joins.push(
        `left join subject_fields f${i} on f${i}.subject_id = ds.subject_id and f${i}.field = $${names.length + 3}`,
      );
      select.push(`f${i}.value_enc as ${value}`);
      columns.push({ kind: "field", field, value, id: "" });
    }
  });
  // A range of the ledger's primary key, each person joined to their key and values on the
  // subject id alone: the plan walks the key and stops at the page's end, so each page costs its
  // own size wherever it is in the list, and on Citus every shard answers its part of the page
  // (joins on the distribution column, no subquery in FROM; docs/citus.md).
  const text = `select ${select.join(", ")}
    from disclosure_subjects ds
    left join subject_keys k on k.subject_id = ds.subject_id
    ${joins.join("\n    ")}
    where ds.disclosure_id = $1 and ds.subject_id > $2
    order by ds.subject_id limit $3`;
  return { text, names, columns };
}

/**
 * Every person of the disclosure, in subject id order, each opened through `narrow` (the view of
 * the use's decision, so only its fields can be read). Erased people (no key) are skipped.
 */
export async function* disclosedRecords(
  db: Kysely<Database>,
  vault: Pick<Vault, "cipherFromRow">,
  narrow: (cipher: SubjectCipher) => FieldView,
  disclosureId: string,
  fields: readonly string[],
  options: ReadOptions = {},
): AsyncGenerator<RecordPage> {
  const pageSize = options.pageSize ?? 2000;
  const { text, names, columns } = pageQuery(fields);
  const read = (after: string): Promise<PageRow[]> =>
    db
      .executeQuery<PageRow>(CompiledQuery.raw(text, [disclosureId, after, pageSize, ...names]))
      .then((r) => r.rows);
  // The smallest uuid is never a subject's (random v4 ids), so `>` it starts at the first.
  let next: Promise<PageRow[]> | null = read("00000000-0000-0000-0000-000000000000");
  try {
    while (next !== null) {
      const people = await next;
      next = null;
      if (people.length === 0) return;
      if (people.length === pageSize) {
        next = read((people[people.length - 1] as PageRow).subject_id as string);
        next.catch(() => undefined); // awaited above on the next turn, or dropped when the reader stops
      }
      const subjectIds: string[] = [];
      const rows: string[][] = [];
      for (let p = 0; p < people.length; p++) {
        const r = people[p] as PageRow;
        if (r.wrapped_key === null) continue; // erased since the ledger was written
        const view = narrow(vault.cipherFromRow(r as unknown as SubjectKeyRow));
        const row = new Array<string>(columns.length);
        for (let c = 0; c < columns.length; c++) {
          const col = columns[c] as Column;
          const v = col.kind === "none" ? null : (r[col.value] ?? null);
          if (v === null) row[c] = "";
          else if (col.kind === "field") row[c] = view.open(col.field, v);
          else if (col.kind === "plain") row[c] = v;
          else
            row[c] = addressLine(
              JSON.parse(view.open(col.field, v, addressCipherField(r[col.id] as string))) as AddressValue,
            );
        }
        subjectIds.push(r.subject_id as string);
        rows.push(row);
      }
      yield { subjectIds, rows };
    }
  } finally {
    // A reader that stopped early leaves at most one page query running; let it finish.
    if (next !== null) await next.catch(() => undefined);
  }
}
