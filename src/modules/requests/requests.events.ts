/** Audit events of rights requests: ids, kinds, states and reasons, never who the person is. */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "request.received": {
      requestId: string;
      kind: string;
      intake: string;
      matched: boolean;
      law: string;
      queue: string;
      due: string | null;
    };
    "request.repeated": { requestId: string; kind: string; intake: string };
    "request.moved": {
      requestId: string;
      from: string;
      to: string;
      reason: string | null;
      version: number;
      due: string | null;
    };
    "request.assigned": { requestId: string; assignee: string | null };
    "request.fulfilled": { requestId: string; kind: string; result: Record<string, unknown> };
    "request.notice_sent": { requestId: string; notice: string };
    "request.downloaded": { requestId: string };
  }
}

export {};
