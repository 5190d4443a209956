import type { KeyObject } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../store/database.ts";
import { auditLag } from "./lag.ts";
import { verifyAudit } from "./verify.ts";
import type { AuditProblem } from "./verify.report.ts";

/** The newest signed checkpoint as stored: no signature, which the signed note carries. */
export interface CheckpointSummary {
  readonly seq: number;
  readonly at: Date;
  readonly keyId: string;
  /** The signed note (note.ts), or null for a checkpoint made before notes were kept. */
  readonly note: string | null;
}

export interface ChainState {
  /** Every row up to `checked` holds: hashes, links, numbering, checkpoints' signatures. */
  readonly verified: boolean;
  /** Rows checked: the head's seq when verify started. */
  readonly checked: number;
  /** The last seq before the first problem (all `checked` when verified). */
  readonly intactTo: number;
  /** At most `limit` problems, first first; `problemCount` says how many there were. */
  readonly problems: readonly AuditProblem[];
  readonly problemCount: number;
  readonly checkpoint: CheckpointSummary | null;
  /** Rows appended after that checkpoint: what could still be rewritten undetected. */
  readonly unsignedRows: number;
}

/**
 * The audit chain's state now, as `pledge audit verify` finds it (verify.ts: the whole log is
 * read, page by page), with the newest signed checkpoint. With `publicKey` null every checkpoint
 * counts as unverifiable, as in verify. Problems name seqs and kinds, never row contents.
 */
export async function chainState(
  db: Kysely<Database>,
  publicKey: KeyObject | null,
  now: Date,
  limit = 20,
): Promise<ChainState> {
  const report = await verifyAudit(db, publicKey);
  const first = report.problems[0];
  const latest = await db
    .selectFrom("audit_checkpoints")
    .select(["seq", "at", "key_id", "note"])
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirst();
  const { unsignedRows } = await auditLag(db, now);
  return {
    verified: report.ok,
    checked: report.checked,
    intactTo: first === undefined ? report.checked : Math.max(0, Math.min(report.checked, first.seq - 1)),
    problems: report.problems.slice(0, limit),
    problemCount: report.problems.length,
    checkpoint:
      latest === undefined
        ? null
        : { seq: Number(latest.seq), at: new Date(latest.at), keyId: latest.key_id, note: latest.note },
    unsignedRows,
  };
}
