import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, signedFrom, signupBody, type Signed } from "../customers/helpers.ts";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { testOnCitus } from "../harness/store.ts";

/**
 * A Citus worker lost while Pledge serves (docs/citus.md). The people whose rows live on the
 * other worker are served as before; a request about someone on the lost worker is answered 503
 * (PLEDGE_STORE_UNAVAILABLE), and nothing it asked is kept; once the worker is back, every
 * acknowledged write is there.
 *
 * It stops a worker of the local cluster of ../shared/citus (cluster.sh), so it runs only when
 * PLEDGE_CITUS_FAULTS=1 on the Citus pass, alone: .ci/run runs it after the Citus pass.
 */
const enabled = testOnCitus && process.env.PLEDGE_CITUS_FAULTS === "1";
const CLUSTER = process.env.CITUS_DIR ?? "/tmp/pledge-citus";
const LOST = 9702;

/** The cluster's own script (../shared/citus beside the repository): `start` is idempotent. */
const CLUSTER_SH = fileURLToPath(new URL("../../../shared/citus/cluster.sh", import.meta.url));

function worker(action: "stop" | "start"): void {
  if (action === "start") {
    execFileSync("bash", [CLUSTER_SH, "start"], { stdio: "ignore" });
    return;
  }
  const pgCtl = "/usr/lib/postgresql/15/bin/pg_ctl";
  const dir = join(CLUSTER, String(LOST));
  execFileSync("runuser", ["-u", "postgres", "--", pgCtl, "-D", dir, "-m", "fast", "-w", "stop"], {
    stdio: "ignore",
  });
}

let t: TestApp;
let people: { signed: Signed; port: number }[] = [];

/** The worker that holds the person's rows (their shard of `subjects`). */
async function portOf(subjectId: string): Promise<number> {
  const { rows } = await sql<{ port: number }>`
    select p.nodeport as port from pg_dist_shard_placement p
    where p.shardid = get_shard_id_for_distribution_column('subjects', ${subjectId}::uuid)`.execute(
    t.store.db,
  );
  return Number(rows[0]!.port);
}

describe.skipIf(!enabled)("a Citus worker lost while serving", () => {
  beforeAll(async () => {
    t = await buildTestApp({ company: "zmailcloud" });
    // Enough people that both workers hold some (each lands on either with even odds).
    for (let i = 0; i < 16; i++) {
      const res = await t.app.inject({
        method: "POST",
        url: "/v1/account/signup",
        payload: signupBody(),
        remoteAddress: `198.51.100.${i + 1}`, // each its own, below the sign-up rate limit
      });
      expect(res.statusCode, res.body).toBe(201);
      const signed = signedFrom(res);
      people.push({ signed, port: await portOf(signed.subjectId) });
    }
    expect(new Set(people.map((p) => p.port))).toEqual(new Set([9701, LOST]));
    worker("stop");
  });

  afterAll(async () => {
    worker("start");
    await t?.close();
    people = [];
  });

  it("serves the people on the live worker, answers 503 for the others, and keeps what it acknowledged", async () => {
    const me = (s: Signed) =>
      t.app.inject({ method: "GET", url: "/v1/account/me", headers: as(s, {}, false) });
    const stopBlog = (s: Signed) =>
      t.app.inject({
        method: "POST",
        url: "/v1/account/me/consents",
        headers: as(s, {}, true),
        payload: { targetKind: "topic", target: "blog", channel: "email", action: "withdrawn" },
      });
    const acknowledged: string[] = [];
    for (const { signed, port } of people) {
      const read = await me(signed);
      const write = await stopBlog(signed);
      if (port === LOST) {
        expect(read.statusCode).toBe(503);
        expect(read.json()).toMatchObject({ code: "PLEDGE_STORE_UNAVAILABLE" });
        expect(write.statusCode).toBe(503);
      } else {
        expect(read.statusCode, read.body).toBe(200);
        expect(write.statusCode, write.body).toBe(201);
        acknowledged.push(signed.subjectId);
      }
    }
    worker("start");
    // Back: every acknowledged choice is in the ledger, and nothing of a refused one.
    const { rows } = await sql<{ subject_id: string }>`
      select distinct subject_id::text as subject_id from consent_events
      where target = 'blog' and action = 'withdrawn'`.execute(t.store.db);
    expect(rows.map((r) => r.subject_id).sort()).toEqual(acknowledged.sort());
    for (const { signed } of people) expect((await me(signed)).statusCode).toBe(200);
  });
});
