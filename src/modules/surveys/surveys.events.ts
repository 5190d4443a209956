/** Audit events of surveys: an aggregate use, with counts of cells, never answers. */
declare module "../../audit/audit.events.ts" {
  interface AuditPayloads {
    "survey.aggregated": { surveyId: string; purpose: string; cells: number; withheld: number };
  }
}

export {};
