import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { generateKeyPairSync } from "node:crypto";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRowPage } from "../../src/audit/audit.repository.ts";
import { rowHash } from "../../src/audit/hash.ts";
import { readPublicKey } from "../../src/audit/keys.ts";
import { parseNote, vkeyOf } from "../../src/audit/note.ts";
import { auditCommand } from "../../src/cli/audit.ts";
import { testOnCitus, testStoreKind } from "../harness/store.ts";
import { cliStore, type CliStore } from "./cli-store.ts";
import { firstAnchor, seedLog, tamper } from "./helpers.ts";

/**
 * The attack a checkpoint kept off the database exists for: someone with table rights cuts rows
 * from the end, moves audit_head back and deletes audit_checkpoints. The log then verifies; the
 * checkpoint file an operator kept says otherwise. Run through the command, as an operator would.
 */
describe(`pledge audit checkpoint and verify --checkpoint (${testStoreKind})`, () => {
  // A Citus store has one chain per shard: its notes name every chain's head, and its problems
  // name their chain (all this file's rows are in chain 1).
  const several = testOnCitus;
  const inChain1 = several ? "chain 1 " : "";
  const holds = several
    ? "the log holds its 6 rows and each of its 4 chains' heads has its hash"
    : "the log holds its 6 rows and row 6 has its hash";
  let s: CliStore;
  let checkpoints: string;
  let kept: string;
  const run = async (argv: string[], env: NodeJS.ProcessEnv = s.env) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await auditCommand(argv, { out: (x) => out.push(x), err: (x) => err.push(x) }, env);
    return { code, out, err };
  };

  beforeAll(async () => {
    s = await cliStore();
    checkpoints = join(s.dir, "checkpoints");
    s = {
      ...s,
      env: {
        ...s.env,
        PLEDGE_CHECKPOINT_DIR: checkpoints,
        PLEDGE_PUBLIC_URL: "https://privacy.example.test",
      },
    };
    await s.withDb((db) => seedLog(db, 5));
  });
  afterAll(() => s.close());

  it("checkpoint writes the signed note to PLEDGE_CHECKPOINT_DIR: its own file and latest, 0600 in a 0700 directory", async () => {
    const { code, out } = await run(["checkpoint"]);
    expect(code).toBe(0);
    const hash = /^checkpoint at row 6: hash ([0-9a-f]{64}) key [0-9a-f]{16}$/.exec(out[0] ?? "")?.[1];
    expect(hash).toBeDefined();
    kept = join(checkpoints, "checkpoint-000000000006.note");
    expect(out[1]).toBe(`wrote ${kept} and ${join(checkpoints, "latest")}`);
    const text = readFileSync(kept, "utf8");
    expect(text).toBe(readFileSync(join(checkpoints, "latest"), "utf8"));
    const hash64 = Buffer.from(hash!, "hex").toString("base64");
    expect(text).toMatch(
      new RegExp(
        `^privacy\\.example\\.test/audit\\n6\\n${hash64.replace(/[+/]/g, "\\$&")}\\n(chain \\d \\d+ \\S{44}\\n)*\\n\u2014 privacy\\.example\\.test/audit \\S+\\n$`,
      ),
    );
    expect(statSync(checkpoints).mode & 0o777).toBe(0o700);
    expect(statSync(kept).mode & 0o777).toBe(0o600);
    expect(readdirSync(checkpoints).sort()).toEqual(["checkpoint-000000000006.note", "latest"]);
  });

  it("on the untouched log, and after more rows, verify --checkpoint passes", async () => {
    await s.withDb((db) => seedLog(db, 2));
    const { code, out } = await run(["verify", "--checkpoint", kept]);
    expect({ code, out }).toEqual({
      code: 0,
      out: [`checkpoint ${kept}: ${holds}`, "8 rows checked, 0 problem(s)"],
    });
  });

  it("--public-key also takes the verifier key line GET /v1/audit/checkpoint/key publishes", async () => {
    const pub = readPublicKey(join(s.dir, "audit-signing.pub"))!;
    const vkey = join(s.dir, "pledge-audit.vkey");
    writeFileSync(vkey, `${vkeyOf("privacy.example.test/audit", pub)}\n`);
    const { code, out } = await run(["verify", "--checkpoint", kept, "--public-key", vkey]);
    expect({ code, out }).toEqual({
      code: 0,
      out: [`checkpoint ${kept}: ${holds}`, "8 rows checked, 0 problem(s)"],
    });
  });

  it("a missing checkpoint file is named, exit 2, no stack trace", async () => {
    const missing = join(s.dir, "no-such.note");
    expect(await run(["verify", "--checkpoint", missing])).toEqual({
      code: 2,
      out: [],
      err: [`pledge audit verify: no checkpoint file at ${missing}`],
    });
  });

  it("a file that is not a checkpoint is refused, saying why", async () => {
    const junk = join(s.dir, "junk.note");
    writeFileSync(junk, "hello\n");
    expect(await run(["verify", "--checkpoint", junk])).toEqual({
      code: 2,
      out: [],
      err: [
        `pledge audit verify: ${junk} is not a signed checkpoint: no blank line between the checkpoint and its signatures`,
      ],
    });
  });

  it("a tampered checkpoint (origin changed), or one checked with another key, is refused: its signature fails", async () => {
    const forged = join(s.dir, "forged.note");
    writeFileSync(forged, readFileSync(kept, "utf8").replace(/^privacy\./, "evil."));
    expect(parseNote(readFileSync(forged, "utf8")).origin).toBe("evil.example.test/audit");
    const { code, out, err } = await run(["verify", "--checkpoint", forged]);
    expect({ code, out }).toEqual({ code: 1, out: [] });
    expect(err).toEqual([
      expect.stringMatching(
        /^pledge audit verify: the signature of .*forged\.note does not verify with the public key .*audit-signing\.pub: the checkpoint was altered or signed by another key/,
      ),
    ]);

    const other = join(s.dir, "other.pub");
    writeFileSync(other, generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }));
    const again = await run(["verify", "--checkpoint", kept, "--public-key", other]);
    expect(again.code).toBe(1);
    expect(again.err.at(-1)).toMatch(/does not verify with the public key .*other\.pub/);
  });

  it("a chain rewritten from row 3 with recomputed hashes, head moved, checkpoints deleted: verify is fooled, --checkpoint is not", async () => {
    await s.withDb(async (db) => {
      const rows = await readRowPage(db, await firstAnchor(db), 0, 100, 100);
      let prev = rows[1]!.hash;
      const statements = [sql`delete from audit_log where seq >= 3`];
      for (const row of rows.slice(2)) {
        const forged = { ...row, actor: row.seq === 3 ? "staff:forged" : row.actor };
        const hash = rowHash(prev, forged);
        statements.push(sql`insert into audit_log (chain, anchor, seq, at, type, actor, subject_id, payload, prev_hash, hash)
          values (1, ${await firstAnchor(db)}, ${row.seq}, ${row.at}, ${row.type}, ${forged.actor}, ${row.subjectId}, ${JSON.stringify(row.payload)}, ${prev}, ${hash})`);
        prev = hash;
      }
      statements.push(
        sql`update audit_head set hash = ${prev} where id = 1`,
        sql`delete from audit_checkpoints`,
      );
      await tamper(db, ...statements);
    });
    expect(await run(["verify"])).toMatchObject({ code: 0, out: ["8 rows checked, 0 problem(s)"] });
    const { code, out } = await run(["verify", "--checkpoint", kept]);
    expect(code).toBe(1);
    expect(out).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${inChain1}row 6: checkpoint_mismatch hash mismatch at row 6: the checkpoint committed to [0-9a-f]{12}…, the log has [0-9a-f]{12}…$`,
        ),
      ),
      "8 rows checked, 1 problem(s)",
    ]);
  });

  it("the last rows deleted, audit_head rewritten, audit_checkpoints deleted: verify says 0 problems, --checkpoint says truncated", async () => {
    await s.withDb(async (db) => {
      const [row4] = await readRowPage(db, await firstAnchor(db), 3, 4, 1);
      await tamper(
        db,
        sql`delete from audit_log where seq > 4`,
        sql`update audit_head set seq = 4, hash = ${row4!.hash} where id = 1`,
        sql`delete from audit_checkpoints`,
      );
    });
    expect(await run(["verify"])).toEqual({ code: 0, out: ["4 rows checked, 0 problem(s)"], err: [] });
    expect(await run(["verify", "--checkpoint", kept])).toEqual({
      code: 1,
      out: [
        `${inChain1}row 5: truncated the log has 4 rows, the checkpoint committed to 6`,
        "4 rows checked, 1 problem(s)",
      ],
      err: [],
    });
  });

  it("a checkpoint file that cannot be written is reported, exit 1, and the checkpoint stays in the database", async () => {
    const notADir = join(s.dir, "a-file");
    writeFileSync(notADir, "");
    const { code, out, err } = await run(["checkpoint"], { ...s.env, PLEDGE_CHECKPOINT_DIR: notADir });
    expect(code).toBe(1);
    expect(out).toEqual([expect.stringMatching(/^checkpoint at row 5: hash [0-9a-f]{64} key [0-9a-f]{16}$/)]);
    expect(err).toEqual([
      expect.stringMatching(
        /^pledge audit checkpoint: the checkpoint is recorded in the database, but its file was not written: .*a-file: (EEXIST|ENOTDIR) \(mkdir\)$/,
      ),
    ]);
    const stored = await s.withDb((db) => db.selectFrom("audit_checkpoints").select("seq").execute());
    expect(stored.map((r) => Number(r.seq))).toEqual([5]);
  });
});
