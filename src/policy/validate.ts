import type { PathSegment } from "./errors.ts";
import type { PolicyPack } from "./schema.ts";
import { collectClauseRefs } from "./walk.ts";

/**
 * Semantic rules a pack must satisfy after it matches the schema. Each rule is numbered and
 * explained here; docs/policy-format.md lists this table verbatim (it is generated from it), and
 * the tests are named after the rules. A pack that breaks one is refused at load time: a
 * misconfigured pack must never become a silent allow in the gate.
 */
export const VALIDATION_RULES = [
  {
    code: "V1",
    rule: "Ids are unique within categories, purposes, topics, recipients, clauses and staff roles.",
  },
  {
    code: "V2",
    rule: "Every category named by a purpose, a recipient or a retention entry is declared under `categories`.",
  },
  {
    code: "V3",
    rule: "Every purpose named by a topic, a recipient, a staff role or `fraud` is declared under `purposes`.",
  },
  { code: "V4", rule: "Every clause id named by a rule (any `clauses:` list) is declared under `clauses`." },
  { code: "V5", rule: "Each record field belongs to exactly one category." },
  {
    code: "V6",
    rule: "Every declared clause is named by at least one rule: a promise nothing enforces is an error.",
  },
  {
    code: "V7",
    rule: "Each category a recipient receives is allowed by at least one of the recipient's purposes.",
  },
  {
    code: "V8",
    rule:
      "A recipient that `requires: [opt_out_honoured]` names its `opt_out_scope`, and an `opt_out_scope` " +
      "is only given together with `opt_out_honoured`.",
  },
  {
    code: "V9",
    rule:
      "With `third_parties.allowed: false` there is no recipient of kind `marketing_partner` or `affiliate`. " +
      "Processors (agents under contract acting only for the company), authorities (reached only on " +
      "`disclosure_grounds`), internal stores and the customer's own organisation are not third parties " +
      "for this rule.",
  },
  { code: "V10", rule: "With `sale.allowed: never` no purpose has `requires_permission: sale`." },
  {
    code: "V11",
    rule:
      "A purpose whose basis is `consent` or `opt_out` does not send only essential message classes " +
      "(essential messages reach people who said no, so such a basis would promise a choice that does not " +
      "exist); a purpose that sends `marketing` does not rest on `contract` or `legal_obligation`.",
  },
  {
    code: "V12",
    rule: "A topic's channels are among its purpose's channels, when the purpose lists channels.",
  },
  {
    code: "V13",
    rule: "A pack with an `aggregate_only` purpose declares `analytics` (the minimum cohort decides which cells are withheld).",
  },
  {
    code: "V14",
    rule:
      "A pack with a purpose that sends `marketing` by email (its channels include `email`, or it lists none) " +
      "declares `company_address`: every marketing email carries the company's postal address (US CAN-SPAM).",
  },
  {
    code: "V15",
    rule:
      "An `own_use_only` purpose (used only by the customer, for themself) is not `aggregate_only`, sends no " +
      "messages (no `channels`, no `message_classes`), and is named by no staff role, recipient or topic: " +
      "nothing would ever be allowed through them.",
  },
] as const;
export type ValidationCode = (typeof VALIDATION_RULES)[number]["code"];

export interface ValidationIssue {
  readonly code: ValidationCode;
  readonly path: readonly PathSegment[];
  readonly message: string;
}

/** Checks a schema-valid pack; returns every issue found (empty when the pack is sound). */
export function validatePack(pack: PolicyPack): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (code: ValidationCode, path: readonly PathSegment[], message: string): void => {
    issues.push({ code, path, message: `${message} (${code})` });
  };

  const categories = uniqueIds(pack.categories, ["categories"], "category", add);
  const purposes = uniqueIds(pack.purposes, ["purposes"], "purpose", add);
  uniqueIds(pack.topics, ["topics"], "topic", add);
  uniqueIds(pack.recipients, ["recipients"], "recipient", add);
  const clauses = uniqueIds(pack.clauses, ["clauses"], "clause", add);
  uniqueIds(pack.staff.roles, ["staff", "roles"], "staff role", add);

  const known =
    (set: Set<string>, kind: string, code: ValidationCode) =>
    (ref: string, path: readonly PathSegment[]): void => {
      if (!set.has(ref)) add(code, path, `unknown ${kind} "${ref}"; expected one of: ${[...set].join(", ")}`);
    };
  const category = known(categories, "category", "V2");
  const purpose = known(purposes, "purpose", "V3");

  pack.purposes.forEach((p, i) =>
    p.categories.forEach((c, j) => category(c, ["purposes", i, "categories", j])),
  );
  pack.recipients.forEach((r, i) => {
    r.categories.forEach((c, j) => category(c, ["recipients", i, "categories", j]));
    r.purposes.forEach((p, j) => purpose(p, ["recipients", i, "purposes", j]));
  });
  pack.retention.forEach((r, i) =>
    r.categories.forEach((c, j) => category(c, ["retention", i, "categories", j])),
  );
  pack.topics.forEach((t, i) => purpose(t.purpose, ["topics", i, "purpose"]));
  pack.staff.roles.forEach((r, i) =>
    r.purposes.forEach((p, j) => purpose(p, ["staff", "roles", i, "purposes", j])),
  );
  if (pack.fraud !== undefined) purpose(pack.fraud.purpose, ["fraud", "purpose"]);

  const refs = collectClauseRefs(pack);
  for (const ref of refs) {
    if (!clauses.has(ref.id)) add("V4", ref.path, `unknown clause "${ref.id}"; declare it under clauses`);
  }
  const referenced = new Set(refs.map((r) => r.id));
  pack.clauses.forEach((c, i) => {
    if (!referenced.has(c.id)) {
      add(
        "V6",
        ["clauses", i, "id"],
        `clause ${c.id} is not implemented by any rule; name it in some rule's clauses`,
      );
    }
  });

  const fieldOwner = new Map<string, string>();
  pack.categories.forEach((c, i) =>
    c.fields.forEach((f, j) => {
      const owner = fieldOwner.get(f);
      if (owner !== undefined && owner !== c.id) {
        add("V5", ["categories", i, "fields", j], `field "${f}" already belongs to category ${owner}`);
      } else fieldOwner.set(f, c.id);
    }),
  );

  checkRecipients(pack, add);
  checkPurposes(pack, add);
  return issues;
}

type Add = (code: ValidationCode, path: readonly PathSegment[], message: string) => void;

function uniqueIds(items: readonly { id: string }[], at: PathSegment[], kind: string, add: Add): Set<string> {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.id)) add("V1", [...at, i, "id"], `duplicate ${kind} id "${item.id}"`);
    seen.add(item.id);
  });
  return seen;
}

function checkRecipients(pack: PolicyPack, add: Add): void {
  const byId = new Map(pack.purposes.map((p) => [p.id, p]));
  pack.recipients.forEach((r, i) => {
    const allowed = new Set(r.purposes.flatMap((p) => byId.get(p)?.categories ?? []));
    r.categories.forEach((c, j) => {
      if (!allowed.has(c)) {
        add(
          "V7",
          ["recipients", i, "categories", j],
          `recipient ${r.id} receives ${c} but none of its purposes (${r.purposes.join(", ")}) allows that category`,
        );
      }
    });
    const honours = r.requires.includes("opt_out_honoured");
    if (honours && r.opt_out_scope === undefined) {
      add(
        "V8",
        ["recipients", i, "requires"],
        `recipient ${r.id} requires opt_out_honoured but names no opt_out_scope`,
      );
    }
    if (!honours && r.opt_out_scope !== undefined) {
      add(
        "V8",
        ["recipients", i, "opt_out_scope"],
        `recipient ${r.id} has opt_out_scope but does not require opt_out_honoured`,
      );
    }
    if (!pack.third_parties.allowed && (r.kind === "marketing_partner" || r.kind === "affiliate")) {
      add(
        "V9",
        ["recipients", i, "kind"],
        `recipient ${r.id} is a ${r.kind}, but third_parties.allowed is false`,
      );
    }
  });
}

function checkPurposes(pack: PolicyPack, add: Add): void {
  const essential = new Set<string>(pack.messages.essential);
  const byId = new Map(pack.purposes.map((p) => [p.id, p]));
  pack.purposes.forEach((p, i) => {
    if (pack.sale.allowed === "never" && p.requires_permission === "sale") {
      add(
        "V10",
        ["purposes", i, "requires_permission"],
        `purpose ${p.id} is a sale, but sale.allowed is never`,
      );
    }
    const classes = p.message_classes ?? [];
    const choice = p.basis === "consent" || p.basis === "opt_out";
    if (choice && classes.length > 0 && classes.every((c) => essential.has(c))) {
      add(
        "V11",
        ["purposes", i, "basis"],
        `purpose ${p.id} rests on ${p.basis} but sends only essential classes, which reach people who said no`,
      );
    }
    if ((p.basis === "contract" || p.basis === "legal_obligation") && classes.includes("marketing")) {
      add(
        "V11",
        ["purposes", i, "basis"],
        `purpose ${p.id} sends marketing, which ${p.basis} cannot justify`,
      );
    }
    const byEmail = p.channels === undefined || p.channels.includes("email");
    if (classes.includes("marketing") && byEmail && pack.company_address === undefined) {
      add(
        "V14",
        ["purposes", i, "message_classes"],
        `purpose ${p.id} sends marketing by email, but the pack has no company_address to print at the foot of it`,
      );
    }
    if (p.aggregate_only && pack.analytics === undefined) {
      add(
        "V13",
        ["purposes", i, "aggregate_only"],
        `purpose ${p.id} is aggregate_only but the pack has no analytics block`,
      );
    }
  });
  checkOwnUse(pack, add);
  pack.topics.forEach((t, i) => {
    const allowed = byId.get(t.purpose)?.channels;
    if (allowed === undefined) return;
    t.channels.forEach((ch, j) => {
      if (!allowed.includes(ch)) {
        add(
          "V12",
          ["topics", i, "channels", j],
          `topic ${t.id} uses ${ch}, which purpose ${t.purpose} does not allow`,
        );
      }
    });
  });
}

/** V15: an own-use-only purpose is reached by no one but the customer, so nothing else names it. */
function checkOwnUse(pack: PolicyPack, add: Add): void {
  const own = new Set(pack.purposes.filter((p) => p.own_use_only).map((p) => p.id));
  if (own.size === 0) return;
  pack.purposes.forEach((p, i) => {
    if (!p.own_use_only) return;
    if (p.aggregate_only) {
      add("V15", ["purposes", i, "aggregate_only"], `purpose ${p.id} is own_use_only and aggregate_only`);
    }
    if (p.channels !== undefined || p.message_classes !== undefined) {
      const key = p.channels !== undefined ? "channels" : "message_classes";
      add("V15", ["purposes", i, key], `purpose ${p.id} is own_use_only but sends messages`);
    }
  });
  const named = (ids: readonly string[], at: readonly PathSegment[], who: string): void =>
    ids.forEach((id, j) => {
      if (own.has(id))
        add("V15", [...at, j], `${who} names ${id}, which only the customer uses (own_use_only)`);
    });
  pack.staff.roles.forEach((r, i) =>
    named(r.purposes, ["staff", "roles", i, "purposes"], `staff role ${r.id}`),
  );
  pack.recipients.forEach((r, i) => named(r.purposes, ["recipients", i, "purposes"], `recipient ${r.id}`));
  pack.topics.forEach((t, i) => {
    if (own.has(t.purpose))
      add("V15", ["topics", i, "purpose"], `topic ${t.id} is governed by own_use_only purpose ${t.purpose}`);
  });
}
