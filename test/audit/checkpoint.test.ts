import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readRowPage } from "../../src/audit/audit.repository.ts";
import { checkpoint, latestNote } from "../../src/audit/checkpoint.ts";
import { noteSignedBy, parseNote } from "../../src/audit/note.ts";
import { rowHash } from "../../src/audit/hash.ts";
import {
  loadOrCreateSigner,
  publicKeyFileFor,
  readPublicKey,
  type AuditSigner,
} from "../../src/audit/keys.ts";
import { verifyAudit } from "../../src/audit/verify.ts";
import type { Store } from "../../src/store/store.ts";
import { freshStore, testStoreKind } from "../harness/store.ts";
import { firstAnchor, IN_CHAIN_1, seedLog, tamper } from "./helpers.ts";

let store: Store;
let dir: string;
let signer: AuditSigner;
const at = new Date("2026-02-01T00:00:00.000Z");
const publicKey = () => readPublicKey(publicKeyFileFor(join(dir, "audit-signing.key")));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "pledge-audit-key-"));
  signer = loadOrCreateSigner(join(dir, "audit-signing.key")).signer;
  store = await freshStore();
  await seedLog(store.db, 8);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("audit signing key", () => {
  it("is created once, private key mode 0600, public key beside it", () => {
    const file = join(dir, "audit-signing.key");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, "audit-signing.pub"), "utf8")).toMatch(/BEGIN PUBLIC KEY/);
    const again = loadOrCreateSigner(file);
    expect(again.created).toBe(false);
    expect(again.signer.keyId).toBe(signer.keyId);
  });
});

describe(`checkpoints (${testStoreKind})`, () => {
  it("signs the head, including its own audit.checkpoint event, and verifies", async () => {
    const cp = await checkpoint(store.db, signer, at, "pledge.test/audit");
    expect(cp).toMatchObject({ seq: 9, keyId: signer.keyId });
    const [row] = await readRowPage(store.db, await firstAnchor(store.db), 8, 9, 1);
    const signed = parseNote(cp.note).heads?.[0]?.hash ?? cp.hash; // chain 1's head, when there are several
    expect(row).toMatchObject({ type: "audit.checkpoint", hash: signed, payload: { keyId: signer.keyId } });
    expect(await verifyAudit(store.db, publicKey())).toEqual({ ok: true, checked: 9, problems: [] });
  });

  it("the same head is signed as a note, kept with the checkpoint and given as the newest", async () => {
    expect(await latestNote(store.db)).toBeNull();
    await checkpoint(store.db, signer, at, "pledge.test/audit");
    await seedLog(store.db, 2);
    const cp = await checkpoint(store.db, signer, at, "pledge.test/audit");
    expect(cp.seq).toBe(12);
    expect(await latestNote(store.db)).toEqual({ seq: 12, note: cp.note });
    const note = parseNote(cp.note);
    expect(note).toMatchObject({ origin: "pledge.test/audit", size: 12, hash: cp.hash });
    expect(noteSignedBy(note, publicKey()!)).toBe(true);
  });

  it("bad_signature: a forged signature, or a different public key", async () => {
    await checkpoint(store.db, signer, at, "pledge.test/audit");
    const other = generateKeyPairSync("ed25519").publicKey;
    expect((await verifyAudit(store.db, other)).problems.map((p) => [p.seq, p.kind])).toEqual([
      [9, "bad_signature"],
    ]);
    await sql`update audit_checkpoints set signature = ${Buffer.alloc(64).toString("base64")}`.execute(
      store.db,
    );
    expect((await verifyAudit(store.db, publicKey())).problems.map((p) => [p.seq, p.kind])).toEqual([
      [9, "bad_signature"],
    ]);
  });

  it("checkpoint_mismatch: a whole chain rewritten from row 3 on, head included, still disagrees with the signature", async () => {
    const cp = await checkpoint(store.db, signer, at, "pledge.test/audit");
    const rows = await readRowPage(store.db, await firstAnchor(store.db), 0, 100, 100);
    let prev = rows[1]!.hash;
    const statements = [sql`delete from audit_log where seq >= 3`];
    for (const row of rows.slice(2)) {
      const forged = { ...row, actor: row.seq === 3 ? "staff:forged" : row.actor, prevHash: prev };
      const hash = rowHash(prev, forged);
      statements.push(sql`insert into audit_log (chain, anchor, seq, at, type, actor, subject_id, payload, prev_hash, hash)
        values (1, ${await firstAnchor(store.db)}, ${row.seq}, ${row.at}, ${row.type}, ${forged.actor}, ${row.subjectId}, ${JSON.stringify(row.payload)}, ${prev}, ${hash})`);
      prev = hash;
    }
    statements.push(sql`update audit_head set hash = ${prev} where id = 1`);
    await tamper(store.db, ...statements);
    const report = await verifyAudit(store.db, publicKey());
    expect(report.problems).toEqual([
      { ...IN_CHAIN_1, seq: cp.seq, kind: "checkpoint_mismatch", detail: expect.any(String) },
    ]);
  });

  it("truncated: rows cut from the end with the head row moved back are found against the checkpoint", async () => {
    await checkpoint(store.db, signer, at, "pledge.test/audit");
    const rows = await readRowPage(store.db, await firstAnchor(store.db), 0, 100, 100);
    await tamper(
      store.db,
      sql`delete from audit_log where seq > 6`,
      sql`update audit_head set seq = 6, hash = ${rows[5]!.hash} where id = 1`,
    );
    const report = await verifyAudit(store.db, publicKey());
    expect(report.problems.map((p) => [p.seq, p.kind])).toEqual([[7, "truncated"]]);
  });

  it("with no public key, every checkpoint is reported, since none can be trusted", async () => {
    await checkpoint(store.db, signer, at, "pledge.test/audit");
    const report = await verifyAudit(store.db, null);
    expect(report.problems).toEqual([
      { seq: 9, kind: "bad_signature", detail: expect.stringMatching(/no public key/) },
    ]);
  });
});
