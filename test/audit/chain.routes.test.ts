import { createPublicKey } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkpoint } from "../../src/audit/checkpoint.ts";
import { loadOrCreateSigner } from "../../src/audit/keys.ts";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { testStoreKind } from "../harness/store.ts";
import { seedLog, tamper } from "./helpers.ts";

interface Chain {
  verified: boolean;
  checked: number;
  intactTo: number;
  problems: { seq: number; kind: string; detail: string }[];
  problemCount: number;
  checkpoint: { seq: number; at: string; keyId: string; note: string | null } | null;
  unsignedRows: number;
}

describe(`GET /v1/audit/chain (${testStoreKind})`, () => {
  let t: TestApp;
  let dir: string;
  let admin: string;
  let signer: ReturnType<typeof loadOrCreateSigner>["signer"];
  const chain = (key: string | null = admin) =>
    t.app.inject({
      method: "GET",
      url: "/v1/audit/chain",
      headers: key === null ? {} : { authorization: `Bearer ${key}` },
    });
  /** Rows in the log: every chain's head seq, added up. */
  const head = async () =>
    (await t.store.db.selectFrom("audit_head").select("seq").execute()).reduce(
      (n, h) => n + Number(h.seq),
      0,
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pledge-audit-chain-"));
    signer = loadOrCreateSigner(join(dir, "audit-signing.key")).signer;
    t = await buildTestApp({ auditPublicKey: createPublicKey(signer.privateKey) });
    admin = await t.apiKey("admin");
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("before any checkpoint: verified up to the head, no checkpoint, every row unsigned", async () => {
    await seedLog(t.store.db, 5);
    const res = await chain();
    expect(res.statusCode, res.body).toBe(200);
    const rows = await head();
    expect(res.json<Chain>()).toEqual({
      verified: true,
      checked: rows,
      intactTo: rows,
      problems: [],
      problemCount: 0,
      checkpoint: null,
      unsignedRows: rows,
    });
  });

  it("after a checkpoint: its seq, time, key and signed note, and the rows appended since", async () => {
    const cp = await checkpoint(t.store.db, signer, new Date(), "privacy.example.test/audit");
    await seedLog(t.store.db, 2);
    const body = (await chain()).json<Chain>();
    expect(body).toMatchObject({ verified: true, checked: await head(), problems: [], unsignedRows: 2 });
    expect(body.checkpoint).toEqual({
      seq: cp.seq,
      at: cp.at.toISOString(),
      keyId: cp.keyId,
      note: cp.note,
    });
  });

  it("an edited row: not verified, intact up to the row before it, the problem named by seq and kind", async () => {
    await tamper(
      t.store.db,
      sql`update audit_log set payload = jsonb_set(payload, '{outcome}', '"allow"') where chain = 1 and seq = 3`,
    );
    const body = (await chain()).json<Chain>();
    expect(body.verified).toBe(false);
    expect(body.intactTo).toBe(2);
    expect(body.problems[0]).toMatchObject({ seq: 3, kind: "edited" });
    expect(body.problemCount).toBeGreaterThanOrEqual(1);
  });

  it("a node without the public key counts its checkpoints as unverifiable", async () => {
    const bare = await buildTestApp();
    try {
      await checkpoint(bare.store.db, signer, new Date(), "privacy.example.test/audit");
      const res = await bare.app.inject({
        method: "GET",
        url: "/v1/audit/chain",
        headers: { authorization: `Bearer ${await bare.apiKey("admin")}` },
      });
      expect(res.json<Chain>()).toMatchObject({
        verified: false,
        problems: [expect.objectContaining({ kind: "bad_signature" })],
      });
    } finally {
      await bare.close();
    }
  });

  it("admins only: another staff role is 403, no key is 401", async () => {
    expect((await chain(await t.apiKey("customer_service"))).statusCode).toBe(403);
    expect((await chain(null)).json()).toMatchObject({ status: 401, code: "PLEDGE_AUTH_MISSING" });
  });
});
