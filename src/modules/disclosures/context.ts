import type { Vault } from "../../crypto/vault.types.ts";
import { PledgeError } from "../../errors.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import type { UseDeps } from "../../use/kernel.ts";

/** What the disclosure, export, affiliate and sales-tracking services need. */
export interface DisclosureDeps extends UseDeps {
  readonly vault: Vault;
}

/**
 * The fields a disclosure asks for, each once, after the checks that need no gate: every field is
 * in a category of the policy (else 400), and nothing held only for an internal store goes out.
 */
export function askedFields(
  pack: PolicyPack,
  fieldCategory: ReadonlyMap<string, unknown>,
  recipientId: string,
  asked: readonly string[],
): string[] {
  const fields = [...new Set(asked)];
  for (const f of fields) {
    if (!fieldCategory.has(f))
      throw new PledgeError("PLEDGE_UNKNOWN_FIELD", `field ${f} is in no category of the policy`);
  }
  const internal = internalOnlyRefusal(pack, recipientId, fields);
  if (internal !== null) throw internal;
  return fields;
}

/**
 * Categories the pack gives to internal recipients only (e.g. order-form data that goes only to
 * the internal sales-tracking store, ZZ-02) never leave for another recipient: a use asking for
 * one of their fields for a recipient that is not internal is refused, naming the internal
 * recipient's clauses. Null when nothing asked is held that way.
 */
export function internalOnlyRefusal(
  pack: PolicyPack,
  recipientId: string,
  fields: readonly string[],
): PledgeError | null {
  const target = pack.recipients.find((r) => r.id === recipientId);
  if (target === undefined || target.kind === "internal") return null;
  for (const field of fields) {
    const category = pack.categories.find((c) => c.fields.includes(field));
    if (category === undefined) continue;
    const holders = pack.recipients.filter((r) => r.categories.includes(category.id));
    const internal = holders.filter((r) => r.kind === "internal");
    if (internal.length > 0 && internal.length === holders.length) {
      const clauses = [...new Set(internal.flatMap((r) => r.clauses))];
      return new PledgeError(
        "PLEDGE_USE_REFUSED",
        `field ${field} goes only to the internal recipient ${internal[0]?.id ?? ""}, never to ${recipientId}`,
        clauses,
      );
    }
  }
  return null;
}

/** The pack categories of some fields, in the order first met. */
export function categoriesOf(
  fieldCategory: ReadonlyMap<string, string>,
  fields: readonly string[],
): string[] {
  return [...new Set(fields.flatMap((f) => (fieldCategory.has(f) ? [fieldCategory.get(f) as string] : [])))];
}
