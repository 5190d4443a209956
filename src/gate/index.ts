/** The gate's public surface: compile a pack, decide a use, compile an audience. */
export { compilePolicy, GateConfigError } from "./compile.ts";
export type { CompiledPolicy, CompiledPurpose, CompiledRecipient, CompiledTopic } from "./compiled.ts";
export { decide, decideAt, type PolicyVersions } from "./decide.ts";
export {
  compileAudience,
  explainAudience,
  type Audience,
  type AudienceExplanation,
  type AudiencePart,
} from "./sql.ts";
export { ageAt, birthCutoff } from "./age.ts";
export { RULE } from "./reasons.ts";
export type { UseFacts } from "./use-rules.ts";
export * from "./types.ts";
