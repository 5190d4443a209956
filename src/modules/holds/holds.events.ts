/** Audit events of legal holds: the hold id and its matter reference, never a personal value. */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "hold.placed": { holdId: string; matter: string };
    "hold.released": { holdId: string; matter: string };
  }
}

export {};
