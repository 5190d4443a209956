import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordsFixture, type RecordsFixture } from "./helpers.ts";

const BILLING = "essential.service.provision_billing";
const base = { purpose: BILLING, collectionPoint: "web.billing-manager" };

describe("services (zmailcloud): add, change, cancel with If-Match", () => {
  let f: RecordsFixture;
  let id: string;
  beforeAll(async () => {
    f = await recordsFixture("zmailcloud");
    id = await f.subject();
  });
  afterAll(async () => f.t.close());

  async function add(plan = "mailbox-5gb") {
    const res = await f.req("POST", `/v1/subjects/${id}/services`, { body: { plan, ...base } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { serviceId: string; version: number; status: string; plan?: string };
  }

  it("adds a service: active, version 1, no plan in the answer", async () => {
    const s = await add();
    expect(s).toMatchObject({ status: "active", version: 1 });
    expect(s.plan).toBeUndefined();
  });

  it("changes the plan, then cancels; the history keeps every step in order", async () => {
    const s = await add("mailbox-5gb");
    const url = `/v1/subjects/${id}/services/${s.serviceId}`;
    const changed = await f.req("PATCH", url, {
      body: { action: "change", plan: "mailbox-50gb", ...base },
      headers: { "if-match": '"1"' },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.headers.etag).toBe('"2"');
    expect(changed.json()).toMatchObject({ status: "changed", plan: "mailbox-50gb", version: 2 });
    const cancelled = await f.req("PATCH", url, {
      body: { action: "cancel", ...base },
      headers: { "if-match": '"2"' },
    });
    expect(cancelled.statusCode).toBe(200);
    const view = (await f.req("GET", `${url}?purpose=${BILLING}`)).json();
    expect(view.status).toBe("cancelled");
    expect(view.history.map((h: { action: string; plan: string }) => [h.action, h.plan])).toEqual([
      ["add", "mailbox-5gb"],
      ["change", "mailbox-50gb"],
      ["cancel", "mailbox-50gb"],
    ]);
    expect(view.history[0].provenance).toMatchObject({
      collectionPoint: "web.billing-manager",
      purpose: BILLING,
    });
  });

  it("a cancelled service cannot change again (409), nothing written", async () => {
    const s = await add();
    const url = `/v1/subjects/${id}/services/${s.serviceId}`;
    await f.req("PATCH", url, { body: { action: "cancel", ...base }, headers: { "if-match": '"1"' } });
    const again = await f.req("PATCH", url, {
      body: { action: "change", plan: "x", ...base },
      headers: { "if-match": '"2"' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("PLEDGE_SERVICE_TRANSITION_INVALID");
    expect((await f.req("GET", `${url}?purpose=${BILLING}`)).json().version).toBe(2);
  });

  it("a stale If-Match is 412 and a missing one 428: two edits never overwrite each other", async () => {
    const s = await add();
    const url = `/v1/subjects/${id}/services/${s.serviceId}`;
    const first = await f.req("PATCH", url, {
      body: { action: "change", plan: "a", ...base },
      headers: { "if-match": '"1"' },
    });
    expect(first.statusCode).toBe(200);
    const second = await f.req("PATCH", url, {
      body: { action: "change", plan: "b", ...base },
      headers: { "if-match": '"1"' },
    });
    expect(second.statusCode).toBe(412);
    expect(second.json().code).toBe("PLEDGE_PRECONDITION_FAILED");
    const none = await f.req("PATCH", url, { body: { action: "change", plan: "c", ...base } });
    expect(none.statusCode).toBe(428);
    expect((await f.req("GET", `${url}?purpose=${BILLING}`)).json().plan).toBe("a");
  });

  it("a change needs a plan and a cancel takes none (schema)", async () => {
    const s = await add();
    const url = `/v1/subjects/${id}/services/${s.serviceId}`;
    const res = await f.req("PATCH", url, {
      body: { action: "change", ...base },
      headers: { "if-match": '"1"' },
    });
    expect(res.statusCode).toBe(400);
  });

  it("lists services with status filter and stores plans encrypted", async () => {
    const active = (
      await f.req("GET", `/v1/subjects/${id}/services?purpose=${BILLING}&status=active`)
    ).json();
    expect(active.items.length).toBeGreaterThan(0);
    for (const s of active.items) expect(s.status).toBe("active");
    const rows = await f.t.store.db
      .selectFrom("services")
      .select("plan_enc")
      .where("subject_id", "=", id)
      .execute();
    for (const r of rows) expect(r.plan_enc).not.toContain("mailbox");
  });
});
