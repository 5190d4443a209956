import type { Use } from "../gate/types.ts";
import type { PolicyPack } from "../policy/schema.ts";
import { ADMIN_ROLE } from "./acting.ts";
import { PledgeError } from "../errors.ts";

/**
 * A use must speak the pack's vocabulary: a purpose, recipient, topic, staff role or field the
 * pack never mentions is a malformed question (400, nothing written), not a refusal. The gate
 * would deny it anyway; this check tells the caller precisely which name is wrong.
 */
interface Vocabulary {
  readonly purposes: ReadonlySet<string>;
  readonly fields: ReadonlySet<string>;
  readonly recipients: ReadonlySet<string>;
  readonly topics: ReadonlySet<string>;
  readonly roles: ReadonlySet<string>;
}

const cache = new WeakMap<PolicyPack, Vocabulary>();

function vocabularyOf(pack: PolicyPack): Vocabulary {
  let v = cache.get(pack);
  if (!v) {
    v = {
      purposes: new Set(pack.purposes.map((p) => p.id)),
      fields: new Set(pack.categories.flatMap((c) => c.fields)),
      recipients: new Set(pack.recipients.map((r) => r.id)),
      topics: new Set(pack.topics.map((t) => t.id)),
      roles: new Set(pack.staff.roles.map((r) => r.id)),
    };
    cache.set(pack, v);
  }
  return v;
}

/** The first unknown name in `use`, as an error to answer with; null when every name is known. */
export function unknownName(pack: PolicyPack, use: Use): PledgeError | null {
  const v = vocabularyOf(pack);
  const where = `in ${pack.company} ${pack.version}`;
  if (!v.purposes.has(use.purpose)) {
    return new PledgeError(
      "PLEDGE_UNKNOWN_PURPOSE",
      `purpose ${JSON.stringify(use.purpose)} is not ${where}`,
    );
  }
  const role = use.actor.role;
  if (use.actor.kind === "staff" && role !== undefined && role !== ADMIN_ROLE && !v.roles.has(role)) {
    return new PledgeError("PLEDGE_UNKNOWN_ROLE", `staff role ${JSON.stringify(role)} is not ${where}`);
  }
  if (use.recipient !== undefined && !v.recipients.has(use.recipient)) {
    return new PledgeError(
      "PLEDGE_UNKNOWN_RECIPIENT",
      `recipient ${JSON.stringify(use.recipient)} is not ${where}`,
    );
  }
  if (use.topic !== undefined && !v.topics.has(use.topic)) {
    return new PledgeError("PLEDGE_UNKNOWN_TOPIC", `topic ${JSON.stringify(use.topic)} is not ${where}`);
  }
  const unknown = use.fields.filter((f) => !v.fields.has(f));
  if (unknown.length > 0) {
    const list = unknown.map((f) => JSON.stringify(f)).join(", ");
    return new PledgeError(
      "PLEDGE_UNKNOWN_FIELD",
      `field${unknown.length > 1 ? "s" : ""} ${list} not in any category ${where}`,
    );
  }
  return null;
}
