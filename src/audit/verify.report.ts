/** What `verifyAudit` can find wrong. Each problem names the seq of the row at fault. */
export type ProblemKind =
  | "edited" // the row's content (or its hash) was changed
  | "deleted" // a row is missing from the middle of the log
  | "inserted" // a row that was never appended by Pledge
  | "moved" // rows reordered or renumbered: seq order and chain order disagree
  | "checkpoint_mismatch" // a signed checkpoint names a different hash for this seq
  | "bad_signature" // a checkpoint's signature does not verify with the public key
  | "truncated"; // rows missing from the end, against the head row or a signed checkpoint

export interface AuditProblem {
  /** The chain of the row at fault, when the log has more than one (chains.ts). */
  chain?: number;
  seq: number;
  kind: ProblemKind;
  detail: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Rows checked. */
  checked: number;
  problems: AuditProblem[];
}

/**
 * `row <seq>: <kind> <detail>` (`chain <n> row <seq>: …` in a log of several chains), the line
 * `pledge audit verify` prints for each problem.
 */
export function formatProblem(p: AuditProblem): string {
  return `${p.chain === undefined ? "" : `chain ${p.chain} `}row ${p.seq}: ${p.kind} ${p.detail}`;
}
