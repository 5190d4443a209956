import { createSecretKey, randomBytes, randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VaultError } from "../../src/crypto/errors.ts";
import { memoryKeyring } from "../../src/crypto/keys.ts";
import { createVault } from "../../src/crypto/vault.ts";
import type { Vault } from "../../src/crypto/vault.types.ts";
import { recordDisclosure } from "../../src/modules/disclosures/ledger.ts";
import { disclosedRecords, type RecordPage } from "../../src/modules/exports/records.ts";
import type { Store } from "../../src/store/store.ts";
import { freshStore } from "../harness/store.ts";
import { fieldView } from "../../src/use/view.ts";
import type { SubjectCipher } from "../../src/crypto/vault.types.ts";

/** Every field: these tests read what the ledger names, as the export after its decision does. */
const whole = (cipher: SubjectCipher) => fieldView(cipher, "whole");

// The reader of a disclosure's records: one query a page, keys unwrapped from the row read with
// the page. Subjects are written straight into the tables, as the subjects module stores them.

let store: Store;
let vault: Vault;
const master = createSecretKey(randomBytes(32));
const indexKey = createSecretKey(randomBytes(32));
const people: { id: string; first: string; customer: string }[] = [];

interface Address {
  line1: string;
  at: string;
}

async function person(
  n: number,
  fields: Record<string, string>,
  addresses: Address[],
  customer: string | null,
): Promise<string> {
  const id = randomUUID();
  await store.db.transaction().execute(async (trx) => {
    await sql`insert into subjects (subject_id, status, customer_number, version, collection_point, purpose, policy_version)
      values (${id}, 'customer', ${customer}, 1, 'test', 'essential.service.account', '2019-12-31')`.execute(
      trx,
    );
    const cipher = await vault.createSubjectKey(trx, id);
    for (const [field, value] of Object.entries(fields)) {
      await sql`insert into subject_fields (subject_id, field, value_enc, collection_point, purpose, collected_at, policy_version)
        values (${id}, ${field}, ${cipher.encrypt(field, value)}, 'test', 'essential.service.account', now(), '2019-12-31')`.execute(
        trx,
      );
    }
    for (const a of addresses) {
      const addressId = randomUUID();
      const value = JSON.stringify({
        name: null,
        line1: a.line1,
        line2: null,
        city: "Springfield",
        region: "IL",
        postalCode: "62701",
        country: "US",
      });
      await sql`insert into subject_addresses (subject_id, address_id, kind, value_enc, blind_index, collection_point, purpose, collected_at, policy_version)
        values (${id}, ${addressId}, 'postal', ${cipher.encrypt(`address.${addressId}`, value)}, ${`b${n}${a.line1}`},
          'test', 'essential.service.account', ${a.at}, '2019-12-31')`.execute(trx);
    }
  });
  return id;
}

async function disclose(ids: readonly string[]): Promise<string> {
  return store.db.transaction().execute(async (trx) => {
    const { disclosureId } = await recordDisclosure(
      trx,
      {
        recipientId: "mail-house",
        recipientKind: "processor",
        kind: "export",
        purpose: "essential.service.account",
        ground: "contract",
        fields: ["first_name"],
        categories: ["contact"],
        policyVersion: "2019-12-31",
        actor: "system",
        at: new Date(),
      },
      ids,
    );
    return disclosureId;
  });
}

async function readAll(disclosureId: string, fields: readonly string[], pageSize: number) {
  const pages: RecordPage[] = [];
  for await (const page of disclosedRecords(store.db, vault, whole, disclosureId, fields, { pageSize }))
    pages.push(page);
  return pages;
}

beforeAll(async () => {
  store = await freshStore();
  vault = createVault(memoryKeyring("k1", { k1: master }), indexKey);
  for (let n = 0; n < 7; n++) {
    const first = n === 3 ? "=cmd" : `Ada${n}`;
    const customer = `C-${n}`;
    const id = await person(
      n,
      n === 5 ? { first_name: first } : { first_name: first, last_name: `Lovelace${n}` },
      n === 6
        ? []
        : [
            { line1: `${n} Late St`, at: "2021-03-01T00:00:00Z" },
            { line1: `${n} Main St`, at: "2020-01-01T00:00:00Z" },
          ],
      customer,
    );
    people.push({ id, first, customer });
  }
  people.sort((a, b) => (a.id < b.id ? -1 : 1));
});

afterAll(async () => {
  await store.close();
});

describe("a disclosure's records", () => {
  it("reads every person of the ledger in subject id order, a page at a time, decrypted", async () => {
    const disclosureId = await disclose(people.map((p) => p.id));
    const pages = await readAll(disclosureId, ["first_name", "customer_number", "postal_address"], 3);
    expect(pages.map((p) => p.rows.length)).toEqual([3, 3, 1]);
    expect(pages.flatMap((p) => p.subjectIds)).toEqual(people.map((p) => p.id));
    const rows = pages.flatMap((p) => p.rows);
    rows.forEach((row, i) => {
      const p = people[i]!;
      const n = p.customer.slice(2);
      // The first address collected is the one sent; a person without one has an empty cell.
      const address = n === "6" ? "" : `${n} Main St, Springfield, IL 62701, US`;
      expect(row).toEqual([p.first, p.customer, address]);
    });
  });

  it("leaves a field the record does not hold empty, and reads only the ledger's people", async () => {
    const some = people.slice(2, 6);
    const disclosureId = await disclose(some.map((p) => p.id));
    const rows = (await readAll(disclosureId, ["last_name", "first_name"], 2000)).flatMap((p) => p.rows);
    expect(rows.map((r) => r[1])).toEqual(some.map((p) => p.first));
    for (const [i, p] of some.entries())
      expect(rows[i]![0]).toBe(p.customer === "C-5" ? "" : `Lovelace${p.customer.slice(2)}`);
  });

  it("skips a person erased after the ledger was written, and still reads the pages after them", async () => {
    const ids = await Promise.all(
      [10, 11, 12, 13, 14].map((n) => person(n, { first_name: `Grace${n}` }, [], null)),
    );
    ids.sort();
    const disclosureId = await disclose(ids);
    // Every person of the first page of two erased: the page comes back empty, the reader goes on.
    await store.db.transaction().execute(async (trx) => {
      await vault.destroySubjectKey(trx, ids[0]!);
      await vault.destroySubjectKey(trx, ids[1]!);
      await vault.destroySubjectKey(trx, ids[3]!);
    });
    const pages = await readAll(disclosureId, ["first_name"], 2);
    expect(pages.flatMap((p) => p.subjectIds)).toEqual([ids[2], ids[4]]);
    expect(pages.flatMap((p) => p.rows).length).toBe(2);
  });

  it("stops cleanly when the reader stops after the first page", async () => {
    const disclosureId = await disclose(people.map((p) => p.id));
    let seen = 0;
    for await (const page of disclosedRecords(store.db, vault, whole, disclosureId, ["first_name"], {
      pageSize: 2,
    })) {
      seen += page.rows.length;
      break;
    }
    expect(seen).toBe(2);
    // The store is still usable: the page asked for ahead has finished.
    const rows = (await readAll(disclosureId, ["first_name"], 4)).flatMap((p) => p.rows);
    expect(rows.map((r) => r[0])).toEqual(people.map((p) => p.first));
  });
});

describe("the vault's cipher from a key row read with the data", () => {
  it("opens the subject's fields without a query, and refuses a row moved to another subject", async () => {
    const p = people[0]!;
    const row = await store.db
      .selectFrom("subject_keys")
      .select(["subject_id", "master_key_id", "wrapped_key"])
      .where("subject_id", "=", p.id)
      .executeTakeFirstOrThrow();
    const value = await store.db
      .selectFrom("subject_fields")
      .select("value_enc")
      .where("subject_id", "=", p.id)
      .where("field", "=", "first_name")
      .executeTakeFirstOrThrow();
    // A second vault on the same keyring has nothing cached: the key is unwrapped from the row.
    const fresh = createVault(memoryKeyring("k1", { k1: master }), indexKey);
    expect(fresh.cipherFromRow(row).decrypt("first_name", value.value_enc)).toBe(p.first);
    expect(vault.cipherFromRow(row).decrypt("first_name", value.value_enc)).toBe(p.first);
    const other = people[1]!.id;
    expect(() => fresh.cipherFromRow({ ...row, subject_id: other })).toThrow(VaultError);
  });
});
