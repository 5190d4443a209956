// The audit log's public surface.
export type { AuditEvent, AuditEventType, AuditPayloads, AuditRow, DecisionSummary } from "./audit.events.ts";
export { appendAudit } from "./append.ts";
export { createAuditWriter, type AuditWriter, type AuditWriterOptions } from "./writer.ts";
export { checkpoint, checkpointMessage, type Checkpoint } from "./checkpoint.ts";
export { loadOrCreateSigner, publicKeyFileFor, readPublicKey, type AuditSigner } from "./keys.ts";
export { verifyAudit, type VerifyOptions } from "./verify.ts";
export { formatProblem, type AuditProblem, type ProblemKind, type VerifyReport } from "./verify.report.ts";
export { GENESIS_HASH, canonicalEncoding, rowHash } from "./hash.ts";
