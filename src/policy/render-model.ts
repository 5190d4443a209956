import type { Channel, LegalBasis, PolicyPack, RecipientKind, RecipientRequirement } from "./schema.ts";

/**
 * The public policy as plain-language sections built from the pack (ALL-01). Each paragraph
 * names the clauses whose rules it describes; each clause's own public text is placed under the
 * first section that cites it, and any clause no section cites goes to a last section, so every
 * clause of the pack appears in the published text.
 */

export interface Paragraph {
  readonly text: string;
  readonly clauses: readonly string[];
}

export interface Section {
  readonly id: string;
  readonly title: string;
  readonly paragraphs: readonly Paragraph[];
  /** Clauses whose public text is printed at the end of this section. */
  readonly clauses: readonly { id: string; title: string; text: string }[];
}

export interface PolicyDocument {
  readonly title: string;
  readonly lastUpdated: string;
  readonly intro: string;
  readonly sections: readonly Section[];
}

export function basisInWords(basis: LegalBasis): string {
  switch (basis) {
    case "contract":
      return "because we need it to provide what you asked for";
    case "consent":
      return "only if you have said yes, and you can change your mind at any time";
    case "opt_out":
      return "unless you tell us to stop, which you can do at any time";
    case "legal_obligation":
      return "because the law requires it";
    case "legitimate_interest":
      return "because it serves a legitimate interest of ours that does not override yours";
    default: {
      const never: never = basis;
      return never;
    }
  }
}

export function kindInWords(kind: RecipientKind): string {
  switch (kind) {
    case "processor":
      return "a service provider working for us under contract";
    case "marketing_partner":
      return "a marketing partner";
    case "affiliate":
      return "an affiliate";
    case "authority":
      return "a public authority";
    case "internal":
      return "our own internal system";
    case "organisation_admin":
      return "the organisation that holds your account";
    default: {
      const never: never = kind;
      return never;
    }
  }
}

export function requirementInWords(req: RecipientRequirement): string {
  switch (req) {
    case "contract":
      return "a confidentiality contract with us is on file";
    case "consent":
      return "you have agreed";
    case "opt_out_honoured":
      return "you have not told us to stop";
    case "legal_ground":
      return "a legal ground applies";
    default: {
      const never: never = req;
      return never;
    }
  }
}

export function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

export function categoryNames(pack: PolicyPack, ids: readonly string[]): string {
  const byId = new Map(pack.categories.map((c) => [c.id, c.name]));
  return list(ids.map((id) => lowerFirst(byId.get(id) ?? id)));
}

/** "Email address" → "email address", but "IP address" stays. */
export function lowerFirst(name: string): string {
  return /^[A-Z][a-z]/.test(name) ? name[0]!.toLowerCase() + name.slice(1) : name;
}

export function channelInWords(channel: Channel): string {
  switch (channel) {
    case "email":
      return "email";
    case "postal":
      return "post";
    case "catalogue":
      return "catalogue";
    case "phone":
      return "telephone";
    case "sms":
      return "text message";
    default: {
      const never: never = channel;
      return never;
    }
  }
}

/** Assembles the sections and places each clause's text under the first section citing it. */
export function placeClauses(
  pack: PolicyPack,
  drafts: readonly { id: string; title: string; paragraphs: Paragraph[] }[],
): Section[] {
  const placed = new Set<string>();
  const byId = new Map(pack.clauses.map((c) => [c.id, c]));
  const sections: Section[] = drafts
    .filter((d) => d.paragraphs.length > 0)
    .map((d) => {
      const clauses = [];
      for (const id of d.paragraphs.flatMap((p) => p.clauses)) {
        const c = byId.get(id);
        if (c === undefined || placed.has(id)) continue;
        placed.add(id);
        clauses.push(c);
      }
      return { ...d, clauses };
    });
  const rest = pack.clauses.filter((c) => !placed.has(c.id));
  if (rest.length > 0) {
    sections.push({ id: "other-commitments", title: "Our other commitments", paragraphs: [], clauses: rest });
  }
  return sections;
}
