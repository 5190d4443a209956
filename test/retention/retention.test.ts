import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRetentionSchedule, nextRunAt } from "../../src/modules/retention/retention.schedule.ts";
import { runRetention } from "../../src/modules/retention/retention.service.ts";
import { inForce, loadPolicyHistory } from "../../src/policy/history.ts";
import { systemActing } from "../../src/use/acting.ts";
import { POLICIES_DIR } from "../harness/app.ts";
import { until } from "../harness/wait.ts";
import { requestsFixture, type RequestsFixture } from "../requests/helpers.ts";

/**
 * Retention through the API on the zones pack (time zone America/Los_Angeles; orders kept P7Y),
 * with the fixture's clock moved across period boundaries.
 */
let f: RequestsFixture;
let legal: string;
beforeAll(async () => {
  f = await requestsFixture("2020-03-10T06:30:00.000Z");
  legal = await f.t.apiKey("legal");
});
afterAll(() => f.close());

const FULFIL = "essential.service.order_fulfilment";
let n = 0;
async function customerWithOrder(at: string): Promise<{ id: string; orderId: string }> {
  f.now = new Date(at);
  const p = await f.person();
  const orderId = `R-${++n}`;
  const res = await f.req("POST", `/v1/subjects/${p.id}/orders`, {
    body: {
      orderId,
      items: [{ sku: "SKU-1", quantity: 1, unitAmount: "10.00" }],
      total: { amount: "10.00", currency: "USD" },
      purpose: FULFIL,
      collectionPoint: "web.checkout",
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return { id: p.id, orderId };
}
const hasOrder = async (subjectId: string, orderId: string) =>
  (await f.t.store.db
    .selectFrom("orders")
    .select("order_id")
    .where("subject_id", "=", subjectId)
    .where("order_id", "=", orderId)
    .executeTakeFirst()) !== undefined;
const events = (type: string, subjectId?: string) => {
  let q = f.t.store.db.selectFrom("audit_log").select(["subject_id", "payload"]).where("type", "=", type);
  if (subjectId !== undefined) q = q.where("subject_id", "=", subjectId);
  return q.orderBy("seq").execute();
};
const run = async (body: Record<string, unknown> = {}) => {
  const res = await f.req("POST", "/v1/retention/runs", { body });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const ordersItem = (r: { report: { items: { item: string }[] } }) =>
  r.report.items.find((i) => i.item === "orders") as unknown as {
    erased: number;
    keptByHold: number;
    cutoff: string;
  };

describe("retention runs", () => {
  it("are for admins only; an unknown run is 404", async () => {
    const cs = await f.t.apiKey("customer_service");
    expect((await f.req("POST", "/v1/retention/runs", { key: cs, body: {} })).statusCode).toBe(403);
    expect((await f.req("GET", "/v1/retention/runs", { key: cs })).statusCode).toBe(403);
    const unknown = await f.req("GET", "/v1/retention/runs/00000000-0000-4000-8000-000000000000");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: "PLEDGE_NOT_FOUND" });
    expect((await f.req("POST", "/v1/retention/runs", { body: { maxBatches: 0 } })).statusCode).toBe(400);
  });

  it("keep an order through the last local day of its period and erase it from the next local midnight (America/Los_Angeles); a legal hold keeps it", async () => {
    // 06:30Z on March 10 is 23:30 on March 9 in Los Angeles (PDT): the order's local day is March 9.
    const a = await customerWithOrder("2020-03-10T06:30:00.000Z");
    const held = await customerWithOrder("2020-03-10T06:30:00.000Z");
    f.now = new Date("2020-03-10T06:31:00.000Z");
    const hold = await f.req("POST", `/v1/subjects/${held.id}/legal-holds`, {
      key: legal,
      body: { matter: "2026-CV-0042" },
    });
    expect(hold.statusCode, hold.body).toBe(201);

    // The day before the period has run: kept.
    f.now = new Date("2027-03-09T12:00:00.000Z");
    expect(ordersItem(await run()).erased).toBe(0);
    // The last minute of local March 9, 2027 (07:59Z; counted in UTC it would be March 10 already).
    f.now = new Date("2027-03-10T07:59:00.000Z");
    const before = await run();
    expect(before.status).toBe("finished");
    expect(ordersItem(before).erased).toBe(0);
    expect(await hasOrder(a.id, a.orderId)).toBe(true);

    // Local midnight of March 10 (08:00Z, still PST): erased. Counted in UTC it would wait for March 11.
    f.now = new Date("2027-03-10T08:00:00.000Z");
    const after = await run();
    expect(after).toMatchObject({
      status: "finished",
      policyVersion: "2019-12-31",
      timeZone: "America/Los_Angeles",
    });
    expect(ordersItem(after)).toMatchObject({
      erased: 1,
      keptByHold: 1,
      // Local midnight of March 10, 2020, when Los Angeles was on daylight time already (UTC-7).
      cutoff: "2020-03-10T07:00:00.000Z",
    });
    expect(after.report.subjects).toBe(1);
    expect(after.report.heldSubjects).toBe(1);
    expect(after.report.unenforced).toEqual([]);
    expect(await hasOrder(a.id, a.orderId)).toBe(false);
    expect(await hasOrder(held.id, held.orderId)).toBe(true);
    expect((await events("retention.erased", a.id)).map((e) => e.payload)).toEqual([
      { runId: after.id, orders: [a.orderId], charges: [], billing_addresses: [], payment_methods: [] },
    ]);
    expect((await events("retention.held", held.id)).at(-1)?.payload).toEqual({ runId: after.id, items: 1 });

    // The report is kept and can be read again.
    const read = await f.req("GET", `/v1/retention/runs/${after.id}`);
    expect(read.json()).toEqual(after);
    expect((await f.req("GET", "/v1/retention/runs?limit=1")).json().items).toEqual([after]);

    // Released, the next run erases it.
    await f.req("POST", `/v1/subjects/${held.id}/legal-holds/${hold.json().id}/release`, { key: legal });
    f.now = new Date("2027-03-11T12:00:00.000Z");
    expect(ordersItem(await run()).erased).toBe(1);
    expect(await hasOrder(held.id, held.orderId)).toBe(false);
  });

  it("a dry run reports what would go and changes nothing: no run stored, no audit event, nothing erased", async () => {
    const d = await customerWithOrder("2021-05-01T12:00:00.000Z");
    f.now = new Date("2028-06-01T12:00:00.000Z");
    const runs = (await f.req("GET", "/v1/retention/runs?limit=200")).json().items.length;
    const seq = async () =>
      Number(
        (
          await f.t.store.db
            .selectFrom("audit_log")
            .select((eb) => eb.fn.max("seq").as("m"))
            .executeTakeFirst()
        )?.m,
      );
    const auditBefore = await seq();
    const dry = await run({ dryRun: true });
    expect(dry).toMatchObject({ id: null, dryRun: true, status: "finished" });
    expect(ordersItem(dry)).toMatchObject({ erased: 1, keptByHold: 0 });
    expect(dry.report.subjects).toBe(1);
    expect(await hasOrder(d.id, d.orderId)).toBe(true);
    expect(await seq()).toBe(auditBefore);
    expect((await f.req("GET", "/v1/retention/runs?limit=200")).json().items.length).toBe(runs);
    expect(ordersItem(await run()).erased).toBe(1);
    expect(await hasOrder(d.id, d.orderId)).toBe(false);
  });

  it("a run that crashes half way resumes where it stopped: nothing erased twice, no subject skipped", async () => {
    const people: { id: string; orderId: string }[] = [];
    for (let i = 0; i < 7; i++) people.push(await customerWithOrder("2022-01-01T12:00:00.000Z"));
    f.now = new Date("2030-01-01T12:00:00.000Z");
    const history = await loadPolicyHistory(path.join(POLICIES_DIR, "zones"));
    const deps = {
      db: f.t.store.db,
      clock: () => f.now,
      packAt: (at: string) => inForce(history, at),
      batchSize: 2,
      beforeCommit: (batch: number) => {
        if (batch === 2) throw new Error("injected crash in batch 2");
      },
    };
    await expect(runRetention(deps, systemActing("retention"))).rejects.toThrow("injected crash");
    // Batch 1 (two subjects) committed; batch 2 rolled back whole.
    const left = async () => {
      let k = 0;
      for (const p of people) if (await hasOrder(p.id, p.orderId)) k++;
      return k;
    };
    expect(await left()).toBe(5);
    const [running] = (await f.req("GET", "/v1/retention/runs?limit=1")).json().items;
    expect(running).toMatchObject({ status: "running", batches: 1 });
    expect(ordersItem(running).erased).toBe(2);

    // Restarted later: the same run resumes with its own instant; one batch, then it finishes.
    f.now = new Date("2030-01-02T12:00:00.000Z");
    const resumed = await run({ maxBatches: 1 });
    expect(resumed).toMatchObject({ id: running.id, status: "running", asOf: running.asOf, batches: 2 });
    const finished = await run();
    expect(finished).toMatchObject({ id: running.id, status: "finished" });
    expect(ordersItem(finished).erased).toBe(7);
    expect(finished.report.subjects).toBe(7);
    expect(await left()).toBe(0);
    const erased = (await events("retention.erased")).filter(
      (e) => (e.payload as { runId: string }).runId === running.id,
    );
    expect(erased.map((e) => e.subject_id).sort()).toEqual(people.map((p) => p.id).sort());
    expect(await events("retention.finished")).toContainEqual(
      expect.objectContaining({
        payload: expect.objectContaining({ runId: running.id, subjects: 7, erased: 7 }),
      }),
    );
  });

  it("the daily job on pg-boss runs at the pack's local hour and erases what is due", async () => {
    expect(nextRunAt(new Date("2027-03-10T08:30:00Z"), "America/Los_Angeles", 3).toISOString()).toBe(
      "2027-03-10T11:00:00.000Z",
    );
    expect(nextRunAt(new Date("2027-07-10T08:30:00Z"), "America/Los_Angeles", 3).toISOString()).toBe(
      "2027-07-10T10:00:00.000Z",
    );
    const due = await customerWithOrder("2019-01-15T12:00:00.000Z");
    // The clock is behind the database's: the next 03:00 after it is already past for pg-boss.
    f.now = new Date("2026-06-01T12:00:00.000Z");
    const history = await loadPolicyHistory(path.join(POLICIES_DIR, "zones"));
    const schedule = createRetentionSchedule({
      store: f.t.store,
      deps: { db: f.t.store.db, clock: () => f.now, packAt: (at: string) => inForce(history, at) },
      hour: 3,
      logger: f.t.app.log,
      pollingSeconds: 0.5,
    });
    await schedule.start();
    try {
      await until(
        "the scheduled run to erase the order",
        async () => !(await hasOrder(due.id, due.orderId)) || null,
      );
      const [latest] = (await f.req("GET", "/v1/retention/runs?limit=1")).json().items;
      expect(latest).toMatchObject({ startedBy: "system:retention" });
    } finally {
      await schedule.stop();
    }
  });
});
