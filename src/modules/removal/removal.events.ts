/** Audit events of removal requests: ids, field names, counts and queues, never the values given. */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "removal.queued": { requestId: string; queue: string; fields: string[]; matched: number };
    "removal.applied": {
      requestId: string;
      queue: string;
      fields: string[];
      matched: number;
      channels: string[];
      suppressed: number;
    };
  }
}

export {};
