import type { Note } from "./diff.types.ts";
import type { LegalBasis, PolicyPack } from "./schema.ts";

/** The comparisons behind diffPolicies, one block of the pack at a time. */
export function diffBlocks(old: PolicyPack, next: PolicyPack, note: Note): void {
  diffCategories(old, next, note);
  diffPurposes(old, next, note);
  diffTopics(old, next, note);
  diffRecipients(old, next, note);
  diffClauses(old, next, note);
  diffMessages(old, next, note);
  diffRules(old, next, note);
}

/** Strength of the person's say over a use: higher is stronger. */
export function basisStrength(basis: LegalBasis): number {
  switch (basis) {
    case "consent":
      return 3;
    case "opt_out":
      return 2;
    case "legitimate_interest":
    case "contract":
    case "legal_obligation":
      return 1;
    default: {
      const never: never = basis;
      return never;
    }
  }
}

const more = (a: readonly string[], b: readonly string[]): string[] => b.filter((x) => !a.includes(x));
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Keys whose values differ between two objects (either side may lack a key). */
function changedKeys(a: object, b: object): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const av = a as Record<string, unknown>;
  const bv = b as Record<string, unknown>;
  return [...keys].filter((k) => !same(av[k], bv[k]));
}

/**
 * Specific checks note what they understand (material or not); whatever else differs in the
 * item is reported once, not material, as "changed: <keys>".
 */
function tracker(note: Note, area: Parameters<Note>[0], id: string, before: object, after: object) {
  const explained = new Set<string>();
  return {
    say(key: string, detail: string, why?: string): void {
      explained.add(key);
      note(area, id, "changed", detail, why);
    },
    rest(): void {
      const keys = changedKeys(before, after).filter((k) => !explained.has(k));
      if (keys.length) note(area, id, "changed", `changed: ${keys.join(", ")}`);
    },
  };
}

function pairs<T extends { id: string }>(a: readonly T[], b: readonly T[]) {
  const old = new Map(a.map((x) => [x.id, x]));
  const next = new Map(b.map((x) => [x.id, x]));
  return {
    added: b.filter((x) => !old.has(x.id)),
    removed: a.filter((x) => !next.has(x.id)),
    common: b.flatMap((x) => {
      const o = old.get(x.id);
      return o === undefined ? [] : [[o, x] as const];
    }),
  };
}

function diffCategories(old: PolicyPack, next: PolicyPack, note: Note): void {
  const { added, removed, common } = pairs(old.categories, next.categories);
  for (const c of added)
    note("category", c.id, "added", `collects ${c.name}`, "a new category of data collected");
  for (const c of removed) note("category", c.id, "removed", `no longer collects ${c.name}`);
  for (const [o, n] of common) tracker(note, "category", n.id, o, n).rest();
}

function diffPurposes(old: PolicyPack, next: PolicyPack, note: Note): void {
  const { added, removed, common } = pairs(old.purposes, next.purposes);
  for (const p of added) note("purpose", p.id, "added", `${p.name} (${p.basis})`, "a new purpose");
  for (const p of removed) note("purpose", p.id, "removed", p.name);
  for (const [o, n] of common) {
    const t = tracker(note, "purpose", n.id, o, n);
    if (o.basis !== n.basis) {
      const weaker = basisStrength(n.basis) < basisStrength(o.basis);
      t.say(
        "basis",
        `basis ${o.basis} → ${n.basis}`,
        weaker ? "a weaker opt-out: the person has less say" : undefined,
      );
    }
    const cats = more(o.categories, n.categories);
    if (cats.length) t.say("categories", `uses ${cats.join(", ")} too`, "the purpose uses more categories");
    const chans = more(o.channels ?? [], n.channels ?? []);
    if (chans.length)
      t.say("channels", `may also use ${chans.join(", ")}`, "the purpose reaches people on more channels");
    if (o.aggregate_only && !n.aggregate_only) {
      t.say(
        "aggregate_only",
        "no longer aggregate only",
        "aggregate_only dropped: individual-level use allowed",
      );
    }
    if (o.own_use_only && !n.own_use_only) {
      t.say(
        "own_use_only",
        "no longer used only by the customer, for themself",
        "own_use_only dropped: staff, recipients or aggregates may use it",
      );
    }
    if (o.requires_permission !== undefined && n.requires_permission === undefined) {
      t.say(
        "requires_permission",
        `no longer needs the ${o.requires_permission} permission`,
        "a permission is no longer required",
      );
    }
    t.rest();
  }
}

function diffTopics(old: PolicyPack, next: PolicyPack, note: Note): void {
  const { added, removed, common } = pairs(old.topics, next.topics);
  for (const t of added) note("topic", t.id, "added", `${t.name} by ${t.channels.join(", ")}`);
  for (const t of removed) note("topic", t.id, "removed", t.name);
  for (const [o, n] of common) tracker(note, "topic", n.id, o, n).rest();
}

function diffRecipients(old: PolicyPack, next: PolicyPack, note: Note): void {
  const { added, removed, common } = pairs(old.recipients, next.recipients);
  const kinds = new Set(old.recipients.map((r) => r.kind));
  for (const r of added) {
    const why = kinds.has(r.kind) ? undefined : `a new kind of recipient: ${r.kind}`;
    note(
      "recipient",
      r.id,
      "added",
      `${r.name} (${r.kind}) receives ${r.categories.join(", ") || "nothing"}`,
      why,
    );
  }
  for (const r of removed) note("recipient", r.id, "removed", r.name);
  for (const [o, n] of common) {
    const t = tracker(note, "recipient", n.id, o, n);
    if (o.kind !== n.kind)
      t.say("kind", `kind ${o.kind} → ${n.kind}`, "the recipient is now of another kind");
    const cats = more(o.categories, n.categories);
    if (cats.length)
      t.say("categories", `also receives ${cats.join(", ")}`, "categories added to a recipient");
    const purposes = more(o.purposes, n.purposes);
    if (purposes.length)
      t.say("purposes", `also for ${purposes.join(", ")}`, "the recipient serves more purposes");
    const dropped = more(n.requires, o.requires);
    if (dropped.length) {
      t.say(
        "requires",
        `no longer requires ${dropped.join(", ")}`,
        "the recipient's requirements were shortened",
      );
    }
    if (o.opt_out_scope !== undefined && n.opt_out_scope === undefined) {
      t.say("opt_out_scope", "no opt-out scope any more", "the person can no longer stop this sharing");
    }
    if (o.single_subject && !n.single_subject) {
      t.say("single_subject", "no longer one customer at a time", "bulk disclosure allowed");
    }
    t.rest();
  }
}

function diffClauses(old: PolicyPack, next: PolicyPack, note: Note): void {
  const { added, removed, common } = pairs(old.clauses, next.clauses);
  for (const c of added) note("clause", c.id, "added", c.title);
  for (const c of removed)
    note("clause", c.id, "removed", c.title, "a protection removed: the clause is gone");
  for (const [o, n] of common) tracker(note, "clause", n.id, o, n).rest();
}

function diffMessages(old: PolicyPack, next: PolicyPack, note: Note): void {
  const o = old.messages;
  const n = next.messages;
  const t = tracker(note, "rule", "messages", o, n);
  const essential = more(o.essential, n.essential);
  if (essential.length) {
    t.say(
      "essential",
      `${essential.join(", ")} now essential`,
      "an essential class added: it reaches people who opted out",
    );
  }
  if (o.suppression && !n.suppression) t.say("suppression", "no Do Not Send list", "suppression dropped");
  else if (o.suppression && n.suppression) {
    const gone = more(n.suppression.channels, o.suppression.channels);
    if (gone.length)
      t.say("suppression", `suppression no longer covers ${gone.join(", ")}`, "suppression channels shrunk");
  }
  if (o.former_customers === "not_contactable" && n.former_customers === "contactable") {
    t.say("former_customers", "former customers contactable", "former customers may now get marketing");
  }
  const [g, h] = [o.send_guard, n.send_guard];
  if (g && !h) t.say("send_guard", "no send guard", "the send guard was dropped");
  else if (
    g &&
    h &&
    (h.max_bounce_rate > g.max_bounce_rate ||
      h.max_complaint_rate > g.max_complaint_rate ||
      h.min_sample > g.min_sample)
  ) {
    t.say("send_guard", "send guard limits raised", "the send guard was loosened");
  }
  t.rest();
}

/** Top-level rule blocks: each is compared whole; specific checks say which changes are material. */
function diffRules(old: PolicyPack, next: PolicyPack, note: Note): void {
  const blocks = [
    "third_parties",
    "sale",
    "minimum_age",
    "analytics",
    "staff",
    "residency",
    "transport",
    "publication",
    "disclosure_grounds",
    "communications",
    "requests",
    "retention",
  ] as const;
  const explained = new Set<string>();
  const say = (block: string, detail: string, why?: string): void => {
    explained.add(block);
    note("rule", block, "changed", detail, why);
  };
  if (!old.third_parties.allowed && next.third_parties.allowed)
    say("third_parties", "allowed false → true", "sharing with third parties allowed");
  if (old.sale.allowed === "never" && next.sale.allowed === "with_permission")
    say("sale", "never → with_permission", "sale allowed");
  const [oa, na] = [old.minimum_age, next.minimum_age];
  if (oa && !na) say("minimum_age", "removed", "the minimum age was removed");
  else if (oa && na && na.years < oa.years)
    say("minimum_age", `${oa.years} → ${na.years}`, "the minimum age was lowered");
  const [an, bn] = [old.analytics, next.analytics];
  if (an && !bn) say("analytics", "removed", "aggregate protections removed");
  else if (an && bn) {
    if (bn.min_cohort < an.min_cohort)
      say("analytics", `min_cohort ${an.min_cohort} → ${bn.min_cohort}`, "analytics min_cohort lowered");
    if (
      an.noise_epsilon !== undefined &&
      (bn.noise_epsilon === undefined || bn.noise_epsilon > an.noise_epsilon)
    ) {
      say("analytics", "noise weakened or removed", "less noise protects people less");
    }
  }
  if (old.staff.attestation_required && !next.staff.attestation_required)
    say("staff", "attestation no longer required", "attestation no longer required");
  const oldRoles = new Map(old.staff.roles.map((r) => [r.id, r]));
  for (const r of next.staff.roles) {
    const o = oldRoles.get(r.id);
    const gained = o ? more(o.purposes, r.purposes) : [];
    if (o === undefined) say("staff", `role ${r.id} added`, "a new staff role can read data");
    else if (gained.length)
      say("staff", `role ${r.id} gains ${gained.join(", ")}`, "a staff role may use data for more purposes");
  }
  const [or, nr] = [old.residency, next.residency];
  if (or && !nr) say("residency", "removed", "residency dropped");
  else if (or && nr && more(or.regions, nr.regions).length)
    say("residency", `regions ${more(or.regions, nr.regions).join(", ")} added`, "residency widened");
  if (old.transport?.tls_required && !next.transport?.tls_required)
    say("transport", "TLS no longer required", "TLS no longer required");
  if (old.publication && !next.publication)
    say("publication", "removed", "earlier versions are no longer promised to stay published");
  const grounds = more(old.disclosure_grounds.grounds, next.disclosure_grounds.grounds);
  if (grounds.length) say("disclosure_grounds", `added ${grounds.join(", ")}`, "more grounds for disclosure");
  const [oc, nc] = [old.communications, next.communications];
  if (oc && !nc) say("communications", "removed", "limits on opening communications removed");
  else if (oc && nc) {
    const g = more(oc.content_grounds, nc.content_grounds);
    if (g.length) say("communications", `added ${g.join(", ")}`, "more grounds for opening communications");
    if (oc.case_required && !nc.case_required)
      say("communications", "no case required", "content may be opened without a case");
  }
  diffRetention(old, next, say);
  for (const block of blocks) {
    const [a, b] = [old[block], next[block]];
    if (explained.has(block) || same(a, b)) continue;
    const keys =
      a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) ? changedKeys(a, b) : [];
    note(
      "rule",
      block,
      a === undefined ? "added" : b === undefined ? "removed" : "changed",
      keys.length ? `changed: ${keys.join(", ")}` : "changed",
    );
  }
}

function diffRetention(
  old: PolicyPack,
  next: PolicyPack,
  say: (block: string, detail: string, why?: string) => void,
): void {
  const days = (p: string): number => {
    const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$/.exec(p);
    return m ? Number(m[1] ?? 0) * 365 + Number(m[2] ?? 0) * 30 + Number(m[3] ?? 0) : 0;
  };
  const before = new Map<string, number>();
  for (const r of old.retention) for (const c of r.categories) before.set(c, days(r.period));
  for (const r of next.retention) {
    for (const c of r.categories) {
      const b = before.get(c);
      if (b !== undefined && days(r.period) > b)
        say("retention", `${c} kept for ${r.period}`, "data kept longer");
    }
  }
}
