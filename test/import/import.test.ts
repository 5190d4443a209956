import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { importCommand } from "../../src/cli/import.ts";
import { openStore } from "../../src/store/connection.ts";
import { readCsv } from "../../src/modules/subjects/csv.ts";

const root = path.resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(path.join(tmpdir(), "pledge-import-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = {
  PLEDGE_DATA_DIR: path.join(dir, "data"),
  PLEDGE_POLICY: "zones",
  PLEDGE_POLICIES_DIR: path.join(root, "policies"),
  DATABASE_URL: "",
  LOG_LEVEL: "silent",
};

function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  return importCommand(args, { out: (s) => out.push(s), err: (s) => err.push(s) }, env).then((code) => ({
    code,
    out: out.join("\n"),
    err: err.join("\n"),
  }));
}

const CSV = [
  "first_name,last_name,email,phone,birth_date,jurisdiction,address_kind,line1,city,region,postal_code,country",
  "Grace,Hopper,grace@example.com,+1 212 555 0101,1970-12-09,US,postal,1 Navy Way,Arlington,VA,22202,US",
  '"O\'Neil, Jr.",Smith,smith.jr@example.com,,1980-01-01,US,,,,,,',
  "Bad,Email,not-an-email,,1980-01-01,US,,,,,,",
  "Kid,Young,kid@example.com,,2020-01-01,US,,,,,,",
  "Card,Holder,card@example.com,4111 1111 1111 1111,1980-01-01,US,,,,,,",
  "Dup,Licate,grace@example.com,,1975-05-05,US,,,,,,",
  "Short,Row,short@example.com",
  "Bad,Zip,zip@example.com,,1980-01-01,US,postal,2 Main St,Springfield,IL,ABCDE,US",
].join("\n");

// The rejected card number, as written and as digits: a shorter piece of it (say "4111") turns up
// by chance in hashes and encrypted values.
const CARD_FORMS = ["4111 1111 1111 1111", "4111111111111111"];

describe("pledge import", () => {
  it("imports valid rows whole, reports every rejected row by line and code, and keeps nothing of them", async () => {
    const file = path.join(dir, "customers.csv");
    writeFileSync(file, CSV);
    const result = await run([file]);
    expect(result.code).toBe(1);
    expect(result.out).toContain("imported 2 of 8 rows; rejected 6");
    expect(result.err).toMatch(/\[#+\] 8\/8 rows, 2 imported, 6 rejected/);

    const report = [...readCsv(readFileSync(`${file}.rejected.csv`, "utf8"))].map((r) => r.cells);
    expect(report[0]).toEqual(["line", "code", "reason"]);
    expect(report.slice(1).map(([line, code]) => [line, code])).toEqual([
      ["4", "PLEDGE_INVALID_EMAIL"],
      ["5", "PLEDGE_UNDER_MINIMUM_AGE"],
      ["6", "PLEDGE_CARD_NUMBER_REFUSED"],
      ["7", "PLEDGE_DUPLICATE_IDENTITY"],
      ["8", "PLEDGE_IMPORT_ROW_SHAPE"],
      ["9", "PLEDGE_INVALID_POSTAL_CODE"],
    ]);
    // The report names lines and codes, never what the rows held.
    const reportText = readFileSync(`${file}.rejected.csv`, "utf8");
    for (const secret of [
      ...CARD_FORMS,
      "not-an-email",
      "kid@example.com",
      "Licate",
      "ABCDE",
      "short@example.com",
    ])
      expect(reportText).not.toContain(secret);

    const store = await openStore({ kind: "pglite", dataDir: path.join(dir, "data", "db") });
    try {
      const count = async (table: "subjects" | "subject_fields" | "subject_identities") =>
        Number(
          (
            await store.db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll().as("n"))
              .executeTakeFirst()
          )?.n,
        );
      expect(await count("subjects")).toBe(2);
      expect(await count("subject_identities")).toBe(4); // two emails, a phone, a postal address
      // Nothing of a rejected row is stored anywhere in the database, in any form.
      const dump = JSON.stringify(
        await Promise.all(
          ["subjects", "subject_fields", "subject_identities", "subject_addresses", "audit_log"].map(
            async (t) =>
              (await store.db
                .selectFrom(t as "subjects")
                .selectAll()
                .execute()) as unknown,
          ),
        ),
      );
      for (const secret of [...CARD_FORMS, "not-an-email", "kid@example.com", "Licate", "ABCDE", "Grace"])
        expect(dump).not.toContain(secret);
    } finally {
      await store.close();
    }
  });

  it("refuses a file with an unknown column before importing anything", async () => {
    const file = path.join(dir, "odd.csv");
    writeFileSync(file, "first_name,shoe_size\nAl,44\n");
    const result = await run([file]);
    expect(result.code).toBe(1);
    expect(result.err).toContain("unknown column(s) shoe_size");
  });

  it("answers bad arguments with the usage and exit 2", async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(["a.csv", "b.csv"])).code).toBe(2);
  });
});
