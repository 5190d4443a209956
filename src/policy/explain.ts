import { z } from "zod";
import { compilePolicy } from "../gate/compile.ts";
import { decide } from "../gate/decide.ts";
import {
  ACTIONS,
  ACTOR_KINDS,
  CONSENT_STATES,
  PERMISSIONS,
  SUBJECT_STATUSES,
  type Decision,
  type Facts,
  type Use,
} from "../gate/types.ts";
import { CHANNELS, MESSAGE_CLASSES, type PolicyPack } from "./schema.ts";

/**
 * `pledge policy explain`: asks the gate one question about one pack and says why. The facts
 * default to a neutral known customer: a customer of unknown age in the pack's first
 * jurisdiction, no consents, no opt-outs, no suppression, no permissions; the acting staff member
 * attested; a recipient's contract on file; the deployment in the pack's first residency region.
 * `--facts` overrides any of these (its `subject` is merged over the default subject).
 */

const useInput = z
  .object({
    action: z.enum(ACTIONS),
    purpose: z.string(),
    actor: z
      .object({ kind: z.enum(ACTOR_KINDS), id: z.string(), role: z.string().optional() })
      .strict()
      .default({ kind: "system", id: "pledge-cli" }),
    fields: z.array(z.string()).default([]),
    recipient: z.string().optional(),
    channel: z.enum(CHANNELS).optional(),
    messageClass: z.enum(MESSAGE_CLASSES).optional(),
    topic: z.string().optional(),
    ground: z.string().optional(),
    caseId: z.string().optional(),
    aggregate: z.boolean().optional(),
    projection: z.boolean().optional(),
    at: z.string().optional(),
  })
  .strict();

const subjectInput = z
  .object({
    status: z.enum(SUBJECT_STATUSES),
    age: z.number().int().nullable(),
    jurisdiction: z.string().nullable(),
    consents: z.record(z.string(), z.enum(CONSENT_STATES)),
    optOuts: z.array(z.string()),
    suppressed: z.array(z.enum(CHANNELS)),
    permissions: z.array(z.enum(PERMISSIONS)),
  })
  .partial()
  .strict();

const factsInput = z
  .object({
    subject: subjectInput.nullable(),
    actorAttested: z.boolean(),
    recipientContractOnFile: z.boolean().nullable(),
    deploymentRegion: z.string(),
  })
  .partial()
  .strict();

export class ExplainInputError extends Error {
  readonly code = "PLEDGE_EXPLAIN_INPUT_INVALID";
}

function parseJson<T>(schema: z.ZodType<T>, text: string, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ExplainInputError(`${what} is not valid JSON`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const first = r.error.issues.map((i) => `${i.path.join(".") || what}: ${i.message}`).join("; ");
    throw new ExplainInputError(`${what}: ${first}`);
  }
  return r.data;
}

export function parseUse(pack: PolicyPack, text: string): Use {
  const u = parseJson(useInput, text, "--use");
  const at =
    u.at ??
    (/^\d{4}-\d{2}-\d{2}$/.test(pack.effective_from)
      ? `${pack.effective_from}T00:00:00Z`
      : pack.effective_from);
  return { ...u, at } as Use;
}

export function neutralFacts(pack: PolicyPack, use: Use): Facts {
  return {
    subject: {
      status: "customer",
      age: null,
      jurisdiction: pack.jurisdictions[0] ?? null,
      consents: {},
      optOuts: [],
      suppressed: [],
      permissions: [],
    },
    actorAttested: true,
    recipientContractOnFile: use.recipient === undefined ? null : true,
    deploymentRegion: pack.residency?.regions[0] ?? "default",
  };
}

export function parseFacts(pack: PolicyPack, use: Use, text: string | undefined): Facts {
  const base = neutralFacts(pack, use);
  if (text === undefined) return base;
  const f = parseJson(factsInput, text, "--facts");
  const subject =
    f.subject === null ? null : f.subject === undefined ? base.subject : { ...base.subject!, ...f.subject };
  return { ...base, ...f, subject } as Facts;
}

export function explain(pack: PolicyPack, use: Use, facts: Facts): Decision {
  return decide(compilePolicy(pack), facts, use);
}

/** The decision as lines: outcome and version, fields, then each reason with its clause and rule. */
export function formatDecision(d: Decision): string {
  const lines = [`${d.outcome} (${d.policy.company} ${d.policy.version})`];
  if (d.fields.length) lines.push(`fields: ${d.fields.join(", ")}`);
  if (d.removed.length) lines.push(`removed: ${d.removed.join(", ")}`);
  for (const r of d.reasons)
    lines.push(`  ${r.clause ?? "(no clause)"} rule ${r.rule} ${r.code}: ${r.detail}`);
  return lines.join("\n") + "\n";
}
