/** Audit events of the Do Not Send list: the blind index of an address, never the address. */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "suppression.added": { channel: string; addressIndex: string; reason: string; source: string };
    "suppression.removed": { channel: string; addressIndex: string; reason: string };
    "suppression.imported": { format: string; rows: number; added: number };
    "suppression.exported": { channel: string | null; count: number };
  }
}

export {};
