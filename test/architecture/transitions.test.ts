import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, sourceFiles } from "./graph.ts";

/**
 * Each state machine's status changes in one place (docs/uses.md, "State machines"): its table is
 * updated only by the file holding its transition function, and a repository helper that writes
 * the status is called only from that function's file. Raw SQL that updates one of these tables
 * anywhere is flagged too. A failure names the file that sets a status on its own.
 */
const MACHINES = [
  { table: "campaigns", writer: "src/modules/campaigns/transition.ts" },
  // Every rights request (list removals and complaints among them): its state, by transition().
  { table: "rights_requests", column: "state", writer: "src/modules/requests/requests.transition.ts" },
  {
    table: "orders",
    writer: "src/modules/orders/orders.repository.ts",
    helper: "setOrderStatus",
    caller: "src/modules/orders/orders.moves.ts",
  },
  {
    table: "fraud_holds",
    writer: "src/modules/fraud/fraud.repository.ts",
    helper: "setHoldStatus",
    caller: "src/modules/fraud/fraud.service.ts",
  },
  {
    table: "services",
    writer: "src/modules/orders/services.repository.ts",
    helper: "updateService",
    caller: "src/modules/orders/services.moves.ts",
  },
] as const;

const texts = new Map(sourceFiles().map((f) => [f, readFileSync(path.join(ROOT, f), "utf8")]));

/**
 * The files that update `table` (or, given a column, set that column of it), through the query
 * builder or in raw SQL.
 */
function writersOf(table: string, files: ReadonlyMap<string, string>, column?: string): string[] {
  const builder =
    column === undefined
      ? new RegExp(`\\.updateTable\\("${table}"\\)`)
      : new RegExp(`\\.updateTable\\("${table}"\\)\\s*\\.set\\(\\{[^}]*\\b${column}\\s*[:,}]`);
  const raw =
    column === undefined
      ? new RegExp(`\\bupdate\\s+"?${table}"?\\s+set\\b`, "i")
      : new RegExp(`\\bupdate\\s+"?${table}"?\\s+set\\b[^;\`]*\\b${column}\\s*=`, "i");
  return [...files].filter(([, text]) => builder.test(text) || raw.test(text)).map(([file]) => file);
}

describe("state machines", () => {
  for (const machine of MACHINES) {
    const what = "column" in machine ? `${machine.table}.${machine.column}` : machine.table;
    it(`${what}: updated only by ${path.basename(machine.writer)}`, () => {
      expect(writersOf(machine.table, texts, "column" in machine ? machine.column : undefined)).toEqual([
        machine.writer,
      ]);
    });

    if ("helper" in machine) {
      it(`${machine.table}: ${machine.helper} is called only from ${path.basename(machine.caller)}`, () => {
        const callers = [...texts]
          .filter(
            ([file, text]) => file !== machine.writer && new RegExp(`\\b${machine.helper}\\b`).test(text),
          )
          .map(([file]) => file);
        expect(callers).toEqual([machine.caller]);
      });
    }
  }

  it("the scan sees a status set outside its machine, by builder or by SQL", () => {
    const files = new Map([
      ["src/a.ts", `await trx.updateTable("orders").set({ status: "cancelled" }).execute();`],
      ["src/b.ts", "await sql`UPDATE orders SET status = 'cancelled'`.execute(db);"],
      ["src/c.ts", `await trx.selectFrom("orders").selectAll().execute();`],
    ]);
    expect(writersOf("orders", files)).toEqual(["src/a.ts", "src/b.ts"]);
  });

  it("a column scan sees that column set, and not the table's other columns", () => {
    const files = new Map([
      ["src/a.ts", `await trx.updateTable("rights_requests").set({ state: "denied", version }).execute();`],
      ["src/b.ts", `await trx.updateTable("rights_requests").set({ result: "{}" }).execute();`],
      ["src/c.ts", "await sql`update rights_requests set state = 'denied'`.execute(db);"],
      ["src/d.ts", `await trx.updateTable("rights_requests").set({ version, state }).execute();`],
    ]);
    expect(writersOf("rights_requests", files, "state")).toEqual(["src/a.ts", "src/c.ts", "src/d.ts"]);
  });
});
