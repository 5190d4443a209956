/** The gate's public surface: compile a pack, decide a use, select an audience, load facts. */
export { compilePolicy, GateConfigError } from "./compile.ts";
export type { CompiledPolicy, CompiledPurpose, CompiledRecipient, CompiledTopic } from "./compiled.ts";
export { decide, decideAt, type PolicyVersions } from "./decide.ts";
export {
  breakdownAudience,
  compileAudience,
  explainAudience,
  selectAudience,
  type Audience,
  type AudienceBreakdown,
  type AudienceExplanation,
  type AudiencePart,
} from "./sql.ts";
export { loadSubjectFacts } from "./facts.ts";
export { ageAt, birthCutoff } from "./age.ts";
export { RULE } from "./reasons.ts";
export type { UseFacts } from "./use-rules.ts";
export * from "./types.ts";
