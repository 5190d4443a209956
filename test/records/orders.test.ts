import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordsFixture, type RecordsFixture } from "./helpers.ts";

const FULFIL = "essential.service.order_fulfilment";
const order = (orderId: string) => ({
  orderId,
  items: [{ sku: "CAB-42", description: "network cable", quantity: 2, unitAmount: "4.50" }],
  total: { amount: "9.00", currency: "USD" },
  purpose: FULFIL,
  collectionPoint: "web.checkout",
});

describe("orders (zones)", () => {
  let f: RecordsFixture;
  let id: string;
  beforeAll(async () => {
    f = await recordsFixture("zones");
    id = await f.subject();
  });
  afterAll(async () => f.t.close());

  it("records an order, answering with ids and provenance only", async () => {
    const res = await f.req("POST", `/v1/subjects/${id}/orders`, { body: order("A-1") });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    const body = res.json();
    expect(body).toMatchObject({ orderId: "A-1", status: "placed", version: 1 });
    expect(body.items).toBeUndefined();
    expect(body.provenance).toMatchObject({
      collectionPoint: "web.checkout",
      purpose: FULFIL,
      policyVersion: "2019-12-31",
    });
  });

  it("stores items and total encrypted, never in clear", async () => {
    const row = await f.t.store.db
      .selectFrom("orders")
      .selectAll()
      .where("subject_id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row.items_enc).not.toContain("CAB-42");
    expect(row.total_enc).not.toContain("9.00");
  });

  it("reads orders for a purpose, decrypted, audited with the subject in the same transaction", async () => {
    const res = await f.req("GET", `/v1/subjects/${id}/orders?purpose=${FULFIL}`);
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json();
    expect(page.items[0]).toMatchObject({ orderId: "A-1", total: { amount: "9.00", currency: "USD" } });
    expect(page.items[0].items[0].sku).toBe("CAB-42");
    const audit = await f.auditOf(id);
    const last = audit.at(-1)!;
    expect(last.type).toBe("decision");
    expect(last.payload).toMatchObject({ outcome: "allow", action: "read", purpose: FULFIL });
  });

  it("a second order with the same id is 409, the first unchanged", async () => {
    const res = await f.req("POST", `/v1/subjects/${id}/orders`, {
      body: { ...order("A-1"), total: { amount: "1.00", currency: "USD" } },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe("PLEDGE_RECORD_EXISTS");
  });

  it("pages with limit and cursor, and filters by status", async () => {
    await f.req("POST", `/v1/subjects/${id}/orders`, { body: order("A-2") });
    await f.req("POST", `/v1/subjects/${id}/orders`, { body: order("A-3") });
    const first = (await f.req("GET", `/v1/subjects/${id}/orders?purpose=${FULFIL}&limit=2`)).json();
    expect(first.items.map((o: { orderId: string }) => o.orderId)).toEqual(["A-1", "A-2"]);
    const second = (
      await f.req("GET", `/v1/subjects/${id}/orders?purpose=${FULFIL}&limit=2&cursor=${first.nextCursor}`)
    ).json();
    expect(second.items.map((o: { orderId: string }) => o.orderId)).toEqual(["A-3"]);
    expect(second.nextCursor).toBeNull();
    const none = (await f.req("GET", `/v1/subjects/${id}/orders?purpose=${FULFIL}&status=cancelled`)).json();
    expect(none.items).toEqual([]);
  });

  it("a purpose whose categories do not cover orders is refused with 403 naming the clause", async () => {
    const res = await f.req("GET", `/v1/subjects/${id}/orders?purpose=marketing.communications.email`);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("PLEDGE_USE_REFUSED");
  });

  it("an unknown subject and a person-dependent refusal both answer 404", async () => {
    const res = await f.req(
      "GET",
      `/v1/subjects/00000000-0000-4000-8000-000000000000/orders?purpose=${FULFIL}`,
    );
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe("PLEDGE_NOT_FOUND");
  });

  it("replays an order POST with the same Idempotency-Key, and refuses another body with it", async () => {
    const headers = { "idempotency-key": "order-key-0001" };
    const a = await f.req("POST", `/v1/subjects/${id}/orders`, { body: order("B-1"), headers });
    const b = await f.req("POST", `/v1/subjects/${id}/orders`, { body: order("B-1"), headers });
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.headers["idempotent-replayed"]).toBe("true");
    expect(b.json()).toEqual(a.json());
    const c = await f.req("POST", `/v1/subjects/${id}/orders`, { body: order("B-2"), headers });
    expect(c.statusCode).toBe(422);
  });
});
