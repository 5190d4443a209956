import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditCommand } from "../../src/cli/audit.ts";
import { migrateCommand } from "../../src/cli/migrate.ts";
import { openStore } from "../../src/store/connection.ts";
import { storeOptionsFromEnv } from "../../src/store/options.ts";
import { testStoreKind } from "../harness/store.ts";
import { seedLog, tamper } from "./helpers.ts";

// The commands open the embedded store under PLEDGE_DATA_DIR, so this runs on PGlite only.
describe.runIf(testStoreKind === "pglite")("pledge audit", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await auditCommand(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, env);
    return { code, out, err };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pledge-audit-cli-"));
    env = { PLEDGE_DATA_DIR: dir };
    expect(await migrateCommand([], { out: () => {}, err: () => {} }, env)).toBe(0);
    const store = await openStore(storeOptionsFromEnv(env));
    await seedLog(store.db, 5);
    await store.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("checkpoint creates the signing key on first use and signs the head", async () => {
    const { code, out, err } = await run(["checkpoint"]);
    expect(code).toBe(0);
    expect(out).toEqual([expect.stringMatching(/^checkpoint at row 6: hash [0-9a-f]{64} key [0-9a-f]{16}$/)]);
    expect(err).toEqual([
      expect.stringContaining(join(dir, "audit-signing.key")),
      "PLEDGE_CHECKPOINT_DIR is not set: this checkpoint is kept in the database only, which does not prove a truncation",
    ]);
  });

  it("verify exits 0 on an intact log", async () => {
    expect(await run(["verify"])).toEqual({ code: 0, out: ["6 rows checked, 0 problem(s)"], err: [] });
  });

  it("verify exits 1 and prints `row <seq>: <kind> …` for each problem", async () => {
    const store = await openStore(storeOptionsFromEnv(env));
    await tamper(
      store.db,
      sql`update audit_log set actor = 'staff:x' where seq = 3`,
      sql`delete from audit_log where seq = 5`,
    );
    await store.close();
    const { code, out } = await run(["verify"]);
    expect(code).toBe(1);
    expect(out).toEqual([
      expect.stringMatching(/^row 3: edited /),
      expect.stringMatching(/^row 5: deleted /),
      "5 rows checked, 2 problem(s)",
    ]);
  });

  it("names a wrong subcommand in one line with a --help hint (exit 2), prints usage for --help (exit 0)", async () => {
    const bad = await run(["frobnicate"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toEqual([
      'pledge audit: unknown subcommand "frobnicate"',
      'run "pledge audit --help" for usage',
    ]);
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.err.join("\n")).toMatch(/pledge audit log \[--subject ID\]/);
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out[0]).toMatch(/pledge audit verify \[--public-key FILE\] \[--checkpoint FILE\]/);
  });
});
