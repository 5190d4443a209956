import type { Kysely, Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import type { AuditEvent } from "../../audit/audit.events.ts";
import type { Vault } from "../../crypto/vault.types.ts";
import { PledgeError } from "../../errors.ts";
import { CHANNELS, type Channel } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { markStale } from "../../use/kept.ts";
import { indexAddress, indexOrThrow, type SuppressionAddress } from "./address.ts";
import { parseImport, type ImportFormat, type RowError } from "./import.ts";
import "./suppression.events.ts";
import * as repo from "./suppression.repository.ts";
import {
  SUPPRESSION_REASONS,
  type RemovalReason,
  type SuppressionEntry,
  type SuppressionReason,
  type SuppressionSource,
} from "./suppression.ts";

/**
 * Do Not Send use cases (PS-05). Addresses arrive in request bodies, are normalised and reduced
 * to the vault's blind index at once, and only the index is stored, logged or audited. Every
 * change and its audit event commit in one transaction.
 */
type Db = Kysely<Database>;
type Indexer = Pick<Vault, "blindIndex">;

export interface SuppressionContext {
  /** `staff:<id>`, `customer:<id>`, `system`. */
  readonly actor: string;
  readonly now: Date;
}

/** The entry listing `address` on `channel`, or null. A malformed address is refused (PLEDGE_INVALID_…). */
export async function checkSuppression(
  db: Db,
  vault: Indexer,
  channel: Channel,
  address: SuppressionAddress,
): Promise<SuppressionEntry | null> {
  return repo.findEntry(db, channel, indexOrThrow(vault, channel, address));
}

/** Lists the address. Idempotent: an address already listed keeps its first entry (`added: false`). */
export async function addSuppression(
  db: Db,
  vault: Indexer,
  input: {
    channel: Channel;
    address: SuppressionAddress;
    reason: SuppressionReason;
    source: SuppressionSource;
  },
  ctx: SuppressionContext,
): Promise<{ entry: SuppressionEntry; added: boolean }> {
  const index = indexOrThrow(vault, input.channel, input.address);
  return db.transaction().execute(async (trx) => {
    const entry = { channel: input.channel, addressIndex: index, reason: input.reason, source: input.source };
    return suppressIndex(trx, entry, ctx);
  });
}

/**
 * Lists an already computed blind index, in the caller's transaction: for flows that hold the
 * index and not the address (an unsubscribe link, a subject's identity).
 */
export async function suppressIndex(
  trx: Transaction<Database>,
  input: { channel: Channel; addressIndex: string; reason: SuppressionReason; source: SuppressionSource },
  ctx: SuppressionContext,
): Promise<{ entry: SuppressionEntry; added: boolean }> {
  const [inserted] = await repo.insertEntries(trx, [{ ...input, createdAt: ctx.now, createdBy: ctx.actor }]);
  if (inserted === undefined) {
    const existing = await repo.findEntry(trx, input.channel, input.addressIndex);
    if (existing === null) throw new Error("a suppression entry vanished between insert and read");
    return { entry: existing, added: false };
  }
  await markStale(trx, [inserted]);
  await appendAudit(trx, [addedEvent(inserted, ctx)]);
  return { entry: inserted, added: true };
}

/** Takes the address off the list, recording why. PLEDGE_NOT_FOUND when it is not listed. */
export async function removeSuppression(
  db: Db,
  vault: Indexer,
  input: { channel: Channel; address: SuppressionAddress; reason: RemovalReason },
  ctx: SuppressionContext,
): Promise<SuppressionEntry> {
  const index = indexOrThrow(vault, input.channel, input.address);
  return db.transaction().execute(async (trx) => {
    const removed = await repo.deleteEntry(trx, input.channel, index);
    if (removed === null)
      throw new PledgeError("PLEDGE_NOT_FOUND", `the address is not on the ${input.channel} list`);
    await markStale(trx, [removed]);
    await appendAudit(trx, [
      {
        type: "suppression.removed",
        at: ctx.now,
        actor: ctx.actor,
        subjectId: null,
        payload: { channel: removed.channel, addressIndex: removed.addressIndex, reason: input.reason },
      },
    ]);
    return removed;
  });
}

export interface ImportReport {
  /** Rows in the file (blank lines not counted). */
  readonly rows: number;
  /** Entries newly listed. */
  readonly added: number;
  /** Rows whose address was already listed on that channel (or repeated in the file). */
  readonly alreadyListed: number;
}

/**
 * Imports a CSV or NDJSON file of addresses (see import.ts). All or nothing per file: every row
 * is checked first, and if any is bad nothing is listed and the refusal lists each bad row by line
 * number and reason (never its content). `defaults` gives the channel and reason of rows that
 * name none.
 */
export async function importSuppression(
  db: Db,
  vault: Indexer,
  file: { text: string; format: ImportFormat },
  defaults: { channel: Channel | null; reason: SuppressionReason; source: SuppressionSource },
  ctx: SuppressionContext,
): Promise<{ ok: true; report: ImportReport } | { ok: false; errors: RowError[] }> {
  const { rows, errors } = parseImport(file.text, file.format);
  const entries: SuppressionEntry[] = [];
  for (const row of rows) {
    const channel = row.channel ?? defaults.channel;
    if (channel === null || !(CHANNELS as readonly string[]).includes(channel)) {
      errors.push({ line: row.line, message: `channel must be one of ${CHANNELS.join(", ")}` });
      continue;
    }
    const reason = row.reason ?? defaults.reason;
    if (!(SUPPRESSION_REASONS as readonly string[]).includes(reason)) {
      errors.push({ line: row.line, message: `reason must be one of ${SUPPRESSION_REASONS.join(", ")}` });
      continue;
    }
    if (row.address === undefined) {
      errors.push({ line: row.line, message: "address is missing" });
      continue;
    }
    const indexed = indexAddress(vault, channel as Channel, row.address);
    if (!indexed.ok) {
      errors.push({ line: row.line, message: indexed.error.detail });
      continue;
    }
    entries.push({
      channel: channel as Channel,
      addressIndex: indexed.index,
      reason: reason as SuppressionReason,
      source: defaults.source,
      createdAt: ctx.now,
      createdBy: ctx.actor,
    });
  }
  if (errors.length > 0) return { ok: false, errors: errors.sort((a, b) => a.line - b.line) };
  if (rows.length === 0) return { ok: false, errors: [{ line: 1, message: "the file has no rows" }] };
  const unique = [...new Map(entries.map((e) => [`${e.channel} ${e.addressIndex}`, e])).values()];
  return db.transaction().execute(async (trx) => {
    const added: SuppressionEntry[] = [];
    for (let i = 0; i < unique.length; i += 1000)
      added.push(...(await repo.insertEntries(trx, unique.slice(i, i + 1000))));
    await markStale(trx, added);
    await appendAudit(trx, [
      ...added.map((e) => addedEvent(e, ctx)),
      {
        type: "suppression.imported",
        at: ctx.now,
        actor: ctx.actor,
        subjectId: null,
        payload: { format: file.format, rows: rows.length, added: added.length },
      },
    ]);
    return {
      ok: true as const,
      report: { rows: rows.length, added: added.length, alreadyListed: rows.length - added.length },
    };
  });
}

/** One page of the list (blind indexes only: the addresses are not kept). Audited. */
export async function exportSuppression(
  db: Db,
  page: { channel: Channel | null; limit: number; after: { channel: string; addressIndex: string } | null },
  ctx: SuppressionContext,
): Promise<SuppressionEntry[]> {
  return db.transaction().execute(async (trx) => {
    const items = await repo.listEntries(trx, page.channel, page.limit, page.after);
    await appendAudit(trx, [
      {
        type: "suppression.exported",
        at: ctx.now,
        actor: ctx.actor,
        subjectId: null,
        payload: { channel: page.channel, count: items.length },
      },
    ]);
    return items;
  });
}

function addedEvent(e: SuppressionEntry, ctx: SuppressionContext): AuditEvent {
  return {
    type: "suppression.added",
    at: ctx.now,
    actor: ctx.actor,
    subjectId: null,
    payload: { channel: e.channel, addressIndex: e.addressIndex, reason: e.reason, source: e.source },
  };
}
