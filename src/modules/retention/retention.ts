import type { PolicyPack } from "../../policy/schema.ts";
import { ORDER_FIELDS } from "../orders/orders.ts";
import { PAYMENT_FIELDS } from "../payments/payments.ts";

/**
 * Retention enforced from the pack (docs/retention.md). A pack's `retention` entries give a
 * period per category; a *dated item* is a record that carries the date its period runs from.
 * The run erases every item whose period has run, except those of a person under a legal hold.
 *
 * Contract of the clock, for every item:
 * 1. The period runs from the item's own event: an order from the day it was placed
 *    (`orders.created_at`), a charge from the day it was made (`payment_charges.charged_at`).
 *    These are the records erasure keeps for tax and accounting law, so retention is what ends
 *    them, for erased and live customers alike. A customer's billing details (billing addresses,
 *    saved payment methods) serve their billing for as long as it goes on: their period runs
 *    from the later of the day they were recorded and the person's last order or charge still
 *    held, so they go once the person has had no billing for the whole period. (Where a pack
 *    kept billing details longer than orders and charges, an erased order no longer counts.)
 * 2. Days are counted in the pack's `time_zone`: an item from local day S is kept through local
 *    day S + period and erased from the next local midnight on (the day before: kept; the day
 *    after: erased).
 * 3. An item holds the categories whose fields it carries; when several of them have a period,
 *    the longest wins (the item is kept until every one has run).
 * 4. An item none of whose categories has a period is never erased by retention.
 * 5. A run measures everything from one instant (`asOf`), fixed when it starts; a resumed run
 *    keeps it, so stopping and resuming changes nothing about what goes.
 */
export const RETENTION_ITEMS = ["orders", "charges", "billing_addresses", "payment_methods"] as const;
export type RetentionItem = (typeof RETENTION_ITEMS)[number];

/** Where each item lives and the pack fields it carries. */
export const ITEM_SOURCES: Record<
  RetentionItem,
  {
    readonly table: string;
    readonly id: string;
    readonly start: string;
    readonly fields: readonly string[];
    readonly from: string;
    /** Only the rows whose `column` holds `value` (a kind of address). */
    readonly only?: { readonly column: string; readonly value: string };
    /** The period runs from the person's last order or charge when that is later than `start`. */
    readonly sinceBilling?: true;
  }
> = {
  orders: {
    table: "orders",
    id: "order_id",
    start: "created_at",
    fields: ORDER_FIELDS,
    from: "the day the order was placed",
  },
  charges: {
    table: "payment_charges",
    id: "charge_id",
    start: "charged_at",
    // A charge names its order and the card it was made with (by the payment method's id).
    fields: ["order_id", "card_token"],
    from: "the day the charge was made",
  },
  billing_addresses: {
    table: "subject_addresses",
    id: "address_id",
    start: "collected_at",
    fields: ["billing_address"],
    from: "the day the address was recorded, or the person's last order or charge if later",
    only: { column: "kind", value: "billing" },
    sinceBilling: true,
  },
  payment_methods: {
    table: "payment_methods",
    id: "payment_method_id",
    start: "created_at",
    fields: PAYMENT_FIELDS,
    from: "the day the card was saved, or the person's last order or charge if later",
    sinceBilling: true,
  },
};

/** The periods that apply to one item under a pack. */
export interface ItemRule {
  readonly item: RetentionItem;
  readonly categories: readonly string[];
  /** Every period that applies (the longest wins; the run computes each cutoff and keeps the earliest). */
  readonly periods: readonly string[];
  readonly reasons: readonly string[];
  readonly from: string;
}

/** A retention entry that no dated item carries: reported, not enforced. */
export interface UnenforcedEntry {
  readonly categories: readonly string[];
  readonly period: string;
  readonly why: string;
}

/** The rules of a pack: one per item with a period, and the entries no item carries. */
export function retentionRules(pack: PolicyPack): { rules: ItemRule[]; unenforced: UnenforcedEntry[] } {
  const fieldsOf = new Map(pack.categories.map((c) => [c.id, c.fields as readonly string[]]));
  const held = new Set<string>();
  const rules: ItemRule[] = [];
  for (const item of RETENTION_ITEMS) {
    const source = ITEM_SOURCES[item];
    const categories = pack.categories
      .filter((c) => c.fields.some((f) => source.fields.includes(f)))
      .map((c) => c.id);
    const entries = pack.retention.filter((e) => e.categories.some((c) => categories.includes(c)));
    if (entries.length === 0) continue;
    const enforced = categories.filter((c) => entries.some((e) => e.categories.includes(c)));
    for (const c of enforced) held.add(c);
    rules.push({
      item,
      categories: enforced,
      periods: [...new Set(entries.map((e) => e.period))],
      reasons: [...new Set(entries.map((e) => e.reason))],
      from: source.from,
    });
  }
  // An entry's categories that no dated item holds are reported, never silently dropped.
  const unenforced = pack.retention
    .map((e) => ({ ...e, categories: e.categories.filter((c) => !held.has(c)) }))
    .filter((e) => e.categories.length > 0)
    .map((e) => ({
      categories: e.categories,
      period: e.period,
      why: `no dated record holds ${e.categories.join(", ")}: ${e.categories.some((c) => fieldsOf.has(c)) ? "it is part of the customer's own record, which lives until the customer is erased" : "the category holds no field"}`,
    }));
  return { rules, unenforced };
}

/** What one run did (or, dry, would do) for one item. */
export interface ItemReport {
  readonly item: RetentionItem;
  readonly categories: readonly string[];
  readonly periods: readonly string[];
  readonly reasons: readonly string[];
  readonly from: string;
  /** Items dated before this instant are past their period. */
  readonly cutoff: string;
  erased: number;
  /** Past their period but kept: the person is under a legal hold. */
  keptByHold: number;
}

export interface RunReport {
  readonly items: ItemReport[];
  /** Subjects with at least one item erased. */
  subjects: number;
  /** Subjects passed over because of a legal hold. */
  heldSubjects: number;
  readonly unenforced: readonly UnenforcedEntry[];
}

export interface RetentionRun {
  /** Null for a dry run: nothing is stored. */
  readonly id: string | null;
  readonly dryRun: boolean;
  readonly status: "running" | "finished";
  readonly asOf: string;
  readonly policyVersion: string;
  readonly timeZone: string;
  readonly startedBy: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly batches: number;
  readonly report: RunReport;
}

/** Subjects handled per transaction. */
export const DEFAULT_BATCH = 500;
