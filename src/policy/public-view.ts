import { DEFAULT_BRAND_COLOUR } from "./brand.ts";
import type { Channel, PolicyPack } from "./schema.ts";

/**
 * What the privacy center shows of a pack: the company's name and colour, the clauses' public
 * wording, and the choices a person can make (topics, channels, purposes, sharing scopes), each
 * with the clauses it comes from. Every field is listed here, so nothing of the pack that is not
 * already public (staff roles, retention rules, routing) leaves by accident. Nobody's data.
 */
export interface PublicPolicyView {
  readonly company: string;
  readonly name: string;
  readonly version: string;
  readonly effectiveFrom: string;
  readonly lastUpdated: string;
  readonly colour: string;
  readonly jurisdictions: readonly string[];
  readonly minimumAge: { readonly years: number; readonly clauses: readonly string[] } | null;
  /**
   * Customers may sign up and manage their record, and the record fields the self-service purpose
   * reaches; null: the pack has no self-service purpose.
   */
  readonly accounts: { readonly clauses: readonly string[]; readonly fields: readonly string[] } | null;
  readonly purposes: readonly {
    readonly id: string;
    readonly name: string;
    readonly basis: string;
    readonly channels: readonly Channel[];
    /** Sends marketing: a person may stop it, channel by channel. */
    readonly marketing: boolean;
    readonly clauses: readonly string[];
  }[];
  readonly topics: readonly {
    readonly id: string;
    readonly name: string;
    readonly purpose: string;
    readonly channels: readonly Channel[];
    readonly clauses: readonly string[];
  }[];
  /** A channel whose marketing also stops with a sharing opt-out (PS-09's no catalogues). */
  readonly channelOptOuts: readonly {
    readonly channel: Channel;
    readonly scope: string;
    readonly clauses: readonly string[];
  }[];
  /** Sharing a person may stop, with the recipients it stops. */
  readonly sharing: readonly {
    readonly scope: string;
    readonly recipients: readonly string[];
    readonly clauses: readonly string[];
  }[];
  readonly sale: { readonly allowed: "never" | "with_permission"; readonly clauses: readonly string[] };
  readonly clauses: readonly { readonly id: string; readonly title: string; readonly text: string }[];
}

export function publicPolicyView(pack: PolicyPack, effectiveFrom: string): PublicPolicyView {
  const scopes = new Map<string, { recipients: string[]; clauses: Set<string> }>();
  for (const r of pack.recipients) {
    if (r.opt_out_scope === undefined) continue;
    const entry = scopes.get(r.opt_out_scope) ?? { recipients: [], clauses: new Set<string>() };
    entry.recipients.push(r.name);
    for (const c of r.clauses) entry.clauses.add(c);
    scopes.set(r.opt_out_scope, entry);
  }
  return {
    company: pack.company,
    name: pack.name,
    version: pack.version,
    effectiveFrom,
    lastUpdated: pack.last_updated,
    colour: pack.brand?.colour ?? DEFAULT_BRAND_COLOUR,
    jurisdictions: pack.jurisdictions,
    minimumAge: pack.minimum_age
      ? { years: pack.minimum_age.years, clauses: pack.minimum_age.clauses }
      : null,
    accounts: accountsOf(pack),
    purposes: pack.purposes.map((p) => ({
      id: p.id,
      name: p.name,
      basis: p.basis,
      channels: p.channels ?? [],
      marketing: (p.message_classes ?? []).includes("marketing"),
      clauses: p.clauses,
    })),
    topics: pack.topics.map((t) => ({
      id: t.id,
      name: t.name,
      purpose: t.purpose,
      channels: t.channels,
      clauses: t.clauses,
    })),
    channelOptOuts: pack.messages.channel_opt_outs.map((o) => ({
      channel: o.channel,
      scope: o.scope,
      clauses: o.clauses,
    })),
    sharing: [...scopes].map(([scope, s]) => ({ scope, recipients: s.recipients, clauses: [...s.clauses] })),
    sale: { allowed: pack.sale.allowed, clauses: pack.sale.clauses },
    clauses: pack.clauses.map((c) => ({ id: c.id, title: c.title, text: c.text })),
  };
}

function accountsOf(pack: PolicyPack): PublicPolicyView["accounts"] {
  const selfService = pack.requests?.self_service;
  if (selfService === undefined) return null;
  const purpose = pack.purposes.find((p) => p.id === selfService.purpose);
  const categories = new Set(purpose?.categories ?? []);
  const fields = pack.categories.filter((c) => categories.has(c.id)).flatMap((c) => c.fields);
  return { clauses: selfService.clauses, fields };
}
