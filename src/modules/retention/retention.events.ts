import type { RetentionItem } from "./retention.ts";

/**
 * Audit events of retention runs: run ids, item ids (order, charge, address and payment method
 * ids) and counts, never a personal value. `retention.erased` and `retention.held` name the
 * subject.
 */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "retention.started": { runId: string; asOf: string; policyVersion: string };
    "retention.erased": { runId: string } & Record<RetentionItem, string[]>;
    "retention.held": { runId: string; items: number };
    "retention.finished": { runId: string; subjects: number; heldSubjects: number; erased: number };
  }
}

export {};
