import type { SubjectCipher } from "../../crypto/vault.types.ts";
import { PledgeError } from "../../http/errors.ts";
import type { Caller } from "../staff/staff.ts";
import { inUse, knownFields, refused, type Granted, type Outcome, type RecordsDeps } from "./gated-use.ts";
import {
  ORDER_FIELDS,
  type Money,
  type NewOrder,
  type OrderItem,
  type OrderStatus,
  type OrderView,
} from "./orders.ts";
import { insertOrder, listOrderRows, type OrderRow } from "./orders.repository.ts";
import { afterOf, pageOf, provenanceOf, type Page } from "./records.ts";

/**
 * Records an order and answers with its id, status, provenance and version (no personal fields).
 * A `collect` use of the order fields for the stated purpose (Z16-03: order fulfilment needs no
 * separate consent, the pack's basis decides). Items and total are stored encrypted, with the
 * collection point, time, purpose and policy version.
 */
export async function createOrder(
  deps: RecordsDeps,
  caller: Caller,
  subjectId: string,
  input: NewOrder,
): Promise<Outcome<OrderView>> {
  const use = { action: "collect", purpose: input.purpose, fields: [...ORDER_FIELDS] } as const;
  return inUse(deps, caller, subjectId, use, async (trx, granted, cipher) => {
    const row: Omit<OrderRow, "version"> = {
      subject_id: subjectId,
      order_id: input.orderId,
      status: "placed",
      items_enc: cipher.encrypt("order_items", JSON.stringify(input.items)),
      total_enc: cipher.encrypt("order_total", JSON.stringify(input.total)),
      collection_point: input.collectionPoint,
      purpose: input.purpose,
      policy_version: granted.policyVersion,
      created_at: granted.at,
    };
    if (!(await insertOrder(trx, row))) {
      return refused(
        new PledgeError("PLEDGE_RECORD_EXISTS", "the subject already has an order with this id"),
      );
    }
    // Only ids and provenance come back: the response may be stored for Idempotency-Key replays.
    return { ok: true, value: orderView({ ...row, version: 1 }, null, null) };
  });
}

/** Lists a subject's orders for a purpose: only the fields the gate allowed leave (projection). */
export async function listOrders(
  deps: RecordsDeps,
  caller: Caller,
  subjectId: string,
  query: { purpose: string; status?: OrderStatus; limit: number; cursor?: string },
): Promise<Outcome<Page<OrderView>>> {
  const after = afterOf(query.cursor);
  const { pack } = deps.book.at(deps.clock().toISOString());
  const fields = knownFields(pack, ORDER_FIELDS);
  const use = { action: "read", purpose: query.purpose, fields, projection: true } as const;
  return inUse(deps, caller, subjectId, use, async (trx, granted, cipher) => {
    const rows = await listOrderRows(trx, subjectId, { after, limit: query.limit, status: query.status });
    return {
      ok: true,
      value: pageOf(
        rows,
        query.limit,
        (r) => r.order_id,
        (r) => orderView(r, granted, cipher),
      ),
    };
  });
}

/**
 * An order as it leaves. Personal fields need the cipher and, when `granted` is given, the gate's
 * leave; without a cipher only the id (an identifier the caller chose), status and provenance.
 */
export function orderView(row: OrderRow, granted: Granted | null, cipher: SubjectCipher | null): OrderView {
  const allowed = (f: string) => cipher !== null && (granted === null || granted.decision.fields.includes(f));
  return {
    ...(cipher === null || allowed("order_id") ? { orderId: row.order_id } : {}),
    ...(allowed("order_items")
      ? { items: JSON.parse(cipher!.decrypt("order_items", row.items_enc)) as OrderItem[] }
      : {}),
    ...(allowed("order_total")
      ? { total: JSON.parse(cipher!.decrypt("order_total", row.total_enc)) as Money }
      : {}),
    status: row.status,
    createdAt: row.created_at.toISOString(),
    provenance: provenanceOf({ ...row, at: row.created_at }),
    version: row.version,
  };
}
