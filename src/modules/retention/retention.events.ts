/**
 * Audit events of retention runs: run ids, item ids (order and charge ids) and counts, never a
 * personal value. `retention.erased` and `retention.held` name the subject.
 */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "retention.started": { runId: string; asOf: string; policyVersion: string };
    "retention.erased": { runId: string; orders: string[]; charges: string[] };
    "retention.held": { runId: string; items: number };
    "retention.finished": { runId: string; subjects: number; heldSubjects: number; erased: number };
  }
}

export {};
