/** Audit events of fraud checks (ZM-09): ids, codes and states, never a personal value. */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    /** A first order was checked: passed, or the person held with the reasons. */
    "fraud.checked": { outcome: "passed" | "held"; reasons: string[]; holdId: string | null };
    /** A hold moved through its transition table (release, reject, expire). */
    "fraud.hold_moved": { holdId: string; move: string; from: string; to: string; version: number };
    /** The customer was told by email how their hold closed. */
    "fraud.notice_sent": { holdId: string; status: string };
  }
}

export {};
