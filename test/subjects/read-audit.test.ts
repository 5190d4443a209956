import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyBook } from "../../src/policy/book.ts";
import { loadPolicyHistory } from "../../src/policy/history.ts";
import { use } from "../../src/use/kernel.ts";
import { ok } from "../../src/use/refusal.ts";
import { POLICIES_DIR } from "../harness/app.ts";
import { testStoreKind } from "../harness/store.ts";
import { ACCOUNT, subjectsFixture, type SubjectsFixture } from "./helpers.ts";

// Values no id, hash or date contains by chance: a refused read must not return them.
const MARKERS = { first_name: "Wqzvjkx", last_name: "Jxqvzwk", email: "wqzvjkx.jxqvzwk@example.com" };
const PURPOSE = ACCOUNT.zones!;

/** How many decisions about `subjectId` the log holds. */
async function decisionsAbout(f: SubjectsFixture, subjectId: string): Promise<number> {
  const r = await sql<{ n: string }>`select count(*) as n from audit_log
    where subject_id = ${subjectId} and type = 'decision'`.execute(f.t.store.db);
  return Number(r.rows[0]!.n);
}

describe(`a record read writes nothing but its decision, committed with others' (${testStoreKind})`, () => {
  let f: SubjectsFixture;
  let id: string;
  beforeAll(async () => {
    f = await subjectsFixture("zones");
    const created = await f.create({ fields: { ...MARKERS, phone: "+1 415 555 0142" } });
    expect(created.statusCode, created.body).toBe(201);
    id = created.json<{ id: string }>().id;
  });
  afterAll(() => f.t.close());

  it("every one of many reads at once has its own decision in the log when its answer arrives", async () => {
    const before = await decisionsAbout(f, id);
    const reads = await Promise.all(
      Array.from({ length: 12 }, () => f.req("GET", `/v1/subjects/${id}?purpose=${PURPOSE}`)),
    );
    for (const r of reads) expect(r.statusCode, r.body).toBe(200);
    expect(await decisionsAbout(f, id)).toBe(before + 12);
    const log = await f.req("GET", `/v1/audit/events?subjectId=${id}&type=decision`);
    const reads12 = log
      .json<{ items: { payload: { action: string; purpose: string } }[] }>()
      .items.filter((e) => e.payload.action === "read" && e.payload.purpose === PURPOSE);
    expect(reads12).toHaveLength(12);
  });

  it("a refused read is audited the same way, and answers the refusal", async () => {
    const before = await decisionsAbout(f, id);
    const refused = await f.req("GET", `/v1/subjects/${id}?purpose=marketing.communications`);
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);
    for (const marker of Object.values(MARKERS)) expect(refused.body).not.toContain(marker);
    expect(await decisionsAbout(f, id)).toBe(before + 1);
  });

  it("the read's work runs in a READ ONLY transaction: a write inside it fails and nothing is kept", async () => {
    const deps = {
      db: f.t.store.db,
      policies: new PolicyBook(await loadPolicyHistory(path.join(POLICIES_DIR, "zones"))),
      vault: { cipherFor: () => Promise.resolve(null) },
      clock: () => new Date(),
      region: "US",
      audit: f.t.audit,
    };
    const before = await decisionsAbout(f, id);
    const versions = async () =>
      (await f.t.store.db.selectFrom("subjects").select("version").where("subject_id", "=", id).execute())[0]!
        .version;
    const version = await versions();
    await expect(
      use(
        deps,
        { actor: { kind: "staff", id: "reader", role: "customer_service" }, attested: true },
        { subject: id },
        { action: "read", purpose: PURPOSE, fields: ["email"] },
        async ({ trx }) => {
          await trx.updateTable("subjects").set({ version: 999 }).where("subject_id", "=", id).execute();
          return ok(null);
        },
        { readOnly: true },
      ),
    ).rejects.toThrow(/read-only transaction/);
    expect(await versions()).toBe(version);
    expect(await decisionsAbout(f, id)).toBe(before);
  });

  it("when the log cannot be written, the read fails and returns nothing of the record", async () => {
    await f.t.audit.close();
    const r = await f.req("GET", `/v1/subjects/${id}?purpose=${PURPOSE}`);
    expect(r.statusCode).toBeGreaterThanOrEqual(500);
    for (const marker of Object.values(MARKERS)) expect(r.body).not.toContain(marker);
  });
});
