import { CHANNELS, type Channel, type PolicyPack } from "../policy/schema.ts";
import type { CompiledPolicy, CompiledPurpose, CompiledRecipient, CompiledTopic } from "./compiled.ts";
import { NO_FIELDS, RULE } from "./reasons.ts";
import type { Decision, Reason } from "./types.ts";

/** A pack the gate cannot enforce: a reference that does not resolve, a duplicate id. */
export class GateConfigError extends Error {
  readonly code = "PLEDGE_POLICY_MISCONFIGURED";
  constructor(
    readonly company: string,
    readonly version: string,
    readonly problems: readonly string[],
  ) {
    super(`policy ${company} ${version} cannot be enforced: ${problems.join("; ")}`);
    this.name = "GateConfigError";
  }
}

/**
 * Precomputes everything `decide` needs. Throws `GateConfigError` when a reference does not
 * resolve (an unknown category, purpose or clause, a duplicate id, an opt-out without its scope):
 * a pack the gate cannot read fully must never turn into a silent allow. The semantic checks of
 * src/policy/validate.ts run before this, in the loader; these are the ones the gate relies on.
 */
export function compilePolicy(pack: PolicyPack): CompiledPolicy {
  const problems: string[] = [];
  const ref = Object.freeze({ company: pack.company, version: pack.version });
  const refusal = (clause: string | null, rule: number, code: string, detail: string): Decision =>
    Object.freeze({
      outcome: "deny" as const,
      fields: NO_FIELDS,
      removed: NO_FIELDS,
      reasons: frozen([Object.freeze({ clause, rule, code, detail })]),
      policy: ref,
    });
  const clauses = new Set<string>();
  for (const c of pack.clauses) unique(clauses, c.id, "clause", problems);
  const clauseOf = (refs: readonly string[], where: string): string => {
    for (const ref of refs) if (!clauses.has(ref)) problems.push(`${where} cites unknown clause ${ref}`);
    return refs[0] ?? "";
  };

  const categoryFields = new Map<string, readonly string[]>();
  const fieldCategory = new Map<string, string>();
  for (const c of pack.categories) {
    unique(categoryFields, c.id, "category", problems);
    categoryFields.set(c.id, c.fields);
    for (const f of c.fields) if (!fieldCategory.has(f)) fieldCategory.set(f, c.id);
  }
  const fieldsOf = (categories: readonly string[], where: string): Set<string> => {
    const out = new Set<string>();
    for (const id of categories) {
      const fields = categoryFields.get(id);
      if (fields === undefined) problems.push(`${where} names unknown category ${id}`);
      else for (const f of fields) out.add(f);
    }
    return out;
  };

  const purposes = new Map<string, CompiledPurpose>();
  for (const p of pack.purposes) {
    unique(purposes, p.id, "purpose", problems);
    const clause = clauseOf(p.clauses, `purpose ${p.id}`);
    purposes.set(p.id, {
      id: p.id,
      basis: p.basis,
      clause,
      fields: fieldsOf(p.categories, `purpose ${p.id}`),
      channels: p.channels === undefined ? null : new Set(p.channels),
      messageClasses: new Set(p.message_classes ?? []),
      aggregateOnly: p.aggregate_only,
      ownUseOnly: p.own_use_only,
      permission: p.requires_permission ?? null,
      channelKeys: channelKeys(p.id),
      consentMissing: refusal(
        clause,
        RULE.legalBasis,
        "consent_missing",
        `no consent to purpose ${p.id} is on file`,
      ),
      allowReasons: frozen([allowReason(clause, `purpose ${p.id} (${p.basis})`)]),
    });
  }
  const purpose = (id: string, where: string): CompiledPurpose | undefined => {
    const found = purposes.get(id);
    if (found === undefined) problems.push(`${where} names unknown purpose ${id}`);
    return found;
  };

  const topics = new Map<string, CompiledTopic>();
  for (const t of pack.topics) {
    unique(topics, t.id, "topic", problems);
    const clause = clauseOf(t.clauses, `topic ${t.id}`);
    const governing = purpose(t.purpose, `topic ${t.id}`);
    topics.set(t.id, {
      id: t.id,
      purpose: t.purpose,
      clause,
      channels: new Set(t.channels),
      channelKeys: channelKeys(t.id),
      allowReasons: frozen([...(governing?.allowReasons ?? []), allowReason(clause, `topic ${t.id}`)]),
    });
  }

  const recipients = new Map<string, CompiledRecipient>();
  for (const r of pack.recipients) {
    unique(recipients, r.id, "recipient", problems);
    const clause = clauseOf(r.clauses, `recipient ${r.id}`);
    const allowReasons = new Map<string, readonly Reason[]>();
    for (const id of r.purposes) {
      const p = purpose(id, `recipient ${r.id}`);
      if (p !== undefined)
        allowReasons.set(id, frozen([...p.allowReasons, allowReason(clause, `recipient ${r.id}`)]));
    }
    const honours = r.requires.includes("opt_out_honoured");
    if (honours && r.opt_out_scope === undefined)
      problems.push(`recipient ${r.id} honours an opt-out but names no opt_out_scope`);
    recipients.set(r.id, {
      id: r.id,
      kind: r.kind,
      clause,
      fields: fieldsOf(r.categories, `recipient ${r.id}`),
      purposes: new Set(r.purposes),
      needsContract: r.requires.includes("contract"),
      needsConsent: r.requires.includes("consent"),
      optOutScope: honours ? (r.opt_out_scope ?? null) : null,
      needsLegalGround: r.kind === "authority" || r.requires.includes("legal_ground"),
      singleSubject: r.single_subject,
      thirdParty: r.kind === "marketing_partner" || r.kind === "affiliate",
      allowReasons,
    });
  }

  const roles = new Map<string, ReadonlySet<string>>();
  for (const role of pack.staff.roles) {
    unique(roles, role.id, "staff role", problems);
    for (const id of role.purposes) purpose(id, `staff role ${role.id}`);
    roles.set(role.id, new Set(role.purposes));
  }

  const messagesClause = clauseOf(pack.messages.clauses, "messages");
  const suppression = pack.messages.suppression;
  const suppressionClause =
    suppression === undefined ? messagesClause : clauseOf(suppression.clauses, "suppression");
  const suppressedRefused = {} as Record<Channel, Decision>;
  for (const ch of CHANNELS) {
    suppressedRefused[ch] = refusal(
      suppressionClause,
      RULE.suppression,
      "suppressed",
      `the address is on the Do Not Send list for ${ch}`,
    );
  }
  const channelOptOuts = new Map<string, { scope: string; refused: Decision }>();
  for (const o of pack.messages.channel_opt_outs) {
    const clause = clauseOf(o.clauses, "channel_opt_outs");
    const refused = refusal(
      clause,
      RULE.suppression,
      "channel_opted_out",
      `the person stopped ${o.scope}, which stops ${o.channel}`,
    );
    channelOptOuts.set(o.channel, { scope: o.scope, refused });
  }
  const minimum = pack.minimum_age;
  const minimumClause = minimum === undefined ? "" : clauseOf(minimum.clauses, "minimum_age");
  const policy: CompiledPolicy = {
    company: pack.company,
    version: pack.version,
    effectiveFrom: Date.parse(pack.effective_from),
    ref,
    purposes,
    recipients,
    topics,
    fieldCategory,
    purposeListClause: purposeListClause(pack),
    regions: pack.residency === undefined ? null : new Set(pack.residency.regions),
    residencyClause: pack.residency === undefined ? null : clauseOf(pack.residency.clauses, "residency"),
    minimumAge:
      minimum === undefined
        ? null
        : {
            years: minimum.years,
            clause: minimumClause,
            underRefused: refusal(
              minimumClause,
              RULE.minimumAge,
              "under_minimum_age",
              `the person is under ${minimum.years}`,
            ),
            unknownRefused: refusal(
              minimumClause,
              RULE.minimumAge,
              "age_unknown",
              `data is collected only from people known to be at least ${minimum.years}`,
            ),
          },
    essential: new Set(pack.messages.essential),
    messagesClause,
    suppressionClause,
    channelOptOuts,
    formerContactable: pack.messages.former_customers === "contactable",
    formerRefused: refusal(
      messagesClause,
      RULE.formerCustomers,
      "former_customer",
      "former customers get no marketing under this policy",
    ),
    suppressedRefused,
    thirdPartiesAllowed: pack.third_parties.allowed,
    thirdPartiesClause: clauseOf(pack.third_parties.clauses, "third_parties"),
    saleAllowed: pack.sale.allowed,
    saleClause: clauseOf(pack.sale.clauses, "sale"),
    attestationRequired: pack.staff.attestation_required,
    roles,
    staffClause: clauseOf(pack.staff.clauses, "staff"),
    contentGrounds: pack.communications === undefined ? null : new Set(pack.communications.content_grounds),
    contentFields: new Set(
      pack.categories.filter((c) => c.sensitivity === "content").flatMap((c) => c.fields),
    ),
    caseRequired: pack.communications?.case_required ?? true,
    communicationsClause:
      pack.communications === undefined ? null : clauseOf(pack.communications.clauses, "communications"),
    disclosureGrounds: new Set(pack.disclosure_grounds.grounds),
    disclosureClause: clauseOf(pack.disclosure_grounds.clauses, "disclosure_grounds"),
  };
  if (Number.isNaN(policy.effectiveFrom))
    problems.push(`effective_from ${pack.effective_from} is not an instant`);
  if (problems.length > 0) throw new GateConfigError(pack.company, pack.version, problems);
  return policy;
}

/**
 * The clause that lists the purposes: the first clause (in declaration order) that every purpose
 * cites, as PS-08 or ZM-03 do. A refusal for an unknown purpose names it; without one, the
 * refusal names no clause, because no clause speaks of purposes outside the list.
 */
function purposeListClause(pack: PolicyPack): string | null {
  for (const c of pack.clauses) if (pack.purposes.every((p) => p.clauses.includes(c.id))) return c.id;
  return null;
}

function unique(
  seen: Set<string> | Map<string, unknown>,
  id: string,
  kind: string,
  problems: string[],
): void {
  if (seen.has(id)) problems.push(`duplicate ${kind} id ${id}`);
  else if (seen instanceof Set) seen.add(id);
}

function channelKeys(id: string): Record<Channel, string> {
  const keys = {} as Record<Channel, string>;
  for (const ch of CHANNELS) keys[ch] = `${id}:${ch}`;
  return Object.freeze(keys);
}

function allowReason(clause: string, detail: string): Reason {
  return Object.freeze({ clause, rule: RULE.allowed, code: "allowed", detail: `allowed under ${detail}` });
}

function frozen<T>(items: T[]): readonly T[] {
  return Object.freeze(items);
}
