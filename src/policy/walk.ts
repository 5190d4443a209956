import type { PathSegment } from "./errors.ts";
import type { PolicyPack } from "./schema.ts";

export interface ClauseRef {
  readonly id: string;
  /** Path of the id inside the pack, e.g. `["purposes", 2, "clauses", 0]`. */
  readonly path: readonly PathSegment[];
  /** Path of the rule that names it, e.g. `["purposes", 2]`. */
  readonly rule: readonly PathSegment[];
}

/**
 * Every clause id named by a rule, anywhere in the pack: every `clauses:` list except the
 * top-level declarations. Walking the structure instead of listing the blocks keeps a rule added
 * to the schema later from escaping the V4/V6 checks.
 */
export function collectClauseRefs(pack: PolicyPack): ClauseRef[] {
  const out: ClauseRef[] = [];
  const walk = (value: unknown, path: PathSegment[]): void => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, [...path, i]));
      return;
    }
    if (value === null || typeof value !== "object") return;
    for (const [key, v] of Object.entries(value)) {
      if (key === "clauses" && path.length > 0 && Array.isArray(v)) {
        v.forEach((id, i) => {
          if (typeof id === "string") out.push({ id, path: [...path, key, i], rule: path });
        });
      } else if (!(key === "clauses" && path.length === 0)) {
        walk(v, [...path, key]);
      }
    }
  };
  walk(pack, []);
  return out;
}
