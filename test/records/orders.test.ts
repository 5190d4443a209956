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

  describe("moves: fulfil or cancel a placed order, once", () => {
    const url = () => `/v1/subjects/${id}/orders/moves`;
    const move = (orderId: string, action: string, headers: Record<string, string>, purpose = FULFIL) =>
      f.req("POST", url(), { body: { orderId, action, purpose }, headers });
    const statusOf = async (orderId: string) =>
      f.t.store.db
        .selectFrom("orders")
        .select(["status", "version"])
        .where("subject_id", "=", id)
        .where("order_id", "=", orderId)
        .executeTakeFirstOrThrow();
    const movedEvents = async () => (await f.auditOf(id)).filter((r) => r.type === "order.moved");

    it("fulfils a placed order at the version read, and writes order.moved without the order's id", async () => {
      await f.req("POST", `/v1/subjects/${id}/orders`, { body: order("MV-QX7-1") });
      const before = (await movedEvents()).length;
      const rowsBefore = (await f.auditOf(id)).length;
      const res = await move("MV-QX7-1", "fulfil", { "if-match": '"1"' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers.etag).toBe('"2"');
      expect(res.json()).toMatchObject({ orderId: "MV-QX7-1", status: "fulfilled", version: 2 });
      expect(res.json().items).toBeUndefined();
      expect(await statusOf("MV-QX7-1")).toEqual({ status: "fulfilled", version: 2 });
      const events = await movedEvents();
      expect(events).toHaveLength(before + 1);
      expect(events.at(-1)!.payload).toEqual({
        move: "fulfil",
        from: "placed",
        to: "fulfilled",
        version: 2,
        purpose: FULFIL,
      });
      const audit = await f.auditOf(id);
      expect(audit.slice(rowsBefore).map((r) => [r.type, r.payload.action ?? r.payload.move])).toEqual(
        expect.arrayContaining([
          ["decision", "collect"],
          ["order.moved", "fulfil"],
        ]),
      );
      expect(audit.length).toBe(rowsBefore + 2);
      expect(JSON.stringify(audit)).not.toContain("MV-QX7-1");
      const listed = (
        await f.req("GET", `/v1/subjects/${id}/orders?purpose=${FULFIL}&status=fulfilled`)
      ).json();
      expect(listed.items.map((o: { orderId: string }) => o.orderId)).toEqual(["MV-QX7-1"]);
    });

    it("a fulfilled order can be neither fulfilled again nor cancelled: 409, nothing changes", async () => {
      const before = (await movedEvents()).length;
      for (const action of ["fulfil", "cancel"]) {
        const res = await move("MV-QX7-1", action, { "if-match": "*" });
        expect(res.statusCode, res.body).toBe(409);
        expect(res.json().code).toBe("PLEDGE_ORDER_TRANSITION_INVALID");
        expect(res.json().detail).toContain("a fulfilled order cannot");
      }
      expect(await statusOf("MV-QX7-1")).toEqual({ status: "fulfilled", version: 2 });
      expect(await movedEvents()).toHaveLength(before);
    });

    it("cancels a placed order; a cancelled order stays cancelled", async () => {
      await f.req("POST", `/v1/subjects/${id}/orders`, { body: order("MV-QX7-2") });
      const res = await move("MV-QX7-2", "cancel", { "if-match": "1" });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ status: "cancelled", version: 2 });
      const again = await move("MV-QX7-2", "fulfil", { "if-match": '"2"' });
      expect(again.statusCode).toBe(409);
      expect(await statusOf("MV-QX7-2")).toEqual({ status: "cancelled", version: 2 });
    });

    it("needs If-Match (428), refuses a stale version (412), and changes nothing", async () => {
      await f.req("POST", `/v1/subjects/${id}/orders`, { body: order("MV-QX7-3") });
      const none = await move("MV-QX7-3", "cancel", {});
      expect(none.statusCode).toBe(428);
      expect(none.json().code).toBe("PLEDGE_PRECONDITION_REQUIRED");
      const stale = await move("MV-QX7-3", "cancel", { "if-match": '"7"' });
      expect(stale.statusCode).toBe(412);
      expect(stale.json().code).toBe("PLEDGE_PRECONDITION_FAILED");
      expect(await statusOf("MV-QX7-3")).toEqual({ status: "placed", version: 1 });
    });

    it("an unknown order is the same 404 as an unknown subject; a move the table lacks is 400", async () => {
      const unknown = await move("NO-SUCH-ORDER", "fulfil", { "if-match": "*" });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().code).toBe("PLEDGE_NOT_FOUND");
      const nobody = await f.req("POST", "/v1/subjects/00000000-0000-4000-8000-000000000000/orders/moves", {
        body: { orderId: "MV-QX7-3", action: "fulfil", purpose: FULFIL },
        headers: { "if-match": "*" },
      });
      expect(nobody.statusCode).toBe(404);
      expect(nobody.json().code).toBe(unknown.json().code);
      const sideways = await move("MV-QX7-3", "ship", { "if-match": "*" });
      expect(sideways.statusCode).toBe(400);
      expect(await statusOf("MV-QX7-3")).toEqual({ status: "placed", version: 1 });
    });

    it("a role without a purpose covering orders is refused with the clause, the order unchanged", async () => {
      const key = await f.t.apiKey("marketing", { attested: true });
      const own = await f.req("POST", url(), {
        key,
        body: { orderId: "MV-QX7-3", action: "cancel", purpose: "marketing.communications.email" },
        headers: { "if-match": "*" },
      });
      expect(own.statusCode, own.body).toBe(403);
      expect(own.json().code).toBe("PLEDGE_USE_REFUSED");
      const borrowed = await f.req("POST", url(), {
        key,
        body: { orderId: "MV-QX7-3", action: "cancel", purpose: FULFIL },
        headers: { "if-match": "*" },
      });
      expect(borrowed.statusCode, borrowed.body).toBe(403);
      expect(await statusOf("MV-QX7-3")).toEqual({ status: "placed", version: 1 });
    });
  });
});
