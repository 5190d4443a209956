import { diffBlocks } from "./diff-blocks.ts";
export { basisStrength } from "./diff-blocks.ts";
import type { DiffArea, ChangeKind, PolicyChange } from "./diff.types.ts";
import type { PolicyPack } from "./schema.ts";
export { DIFF_AREAS, type ChangeKind, type DiffArea, type Note, type PolicyChange } from "./diff.types.ts";

/**
 * What changed between two versions of a pack, and whether each change is *material*: a change
 * that lets the company do more with a person's data or takes a protection away, and so must be
 * announced to every contactable customer before it applies (PS-10). The rules are listed in
 * MATERIAL_RULES (docs/policy-format.md prints them); additions that only protect more are listed
 * but not material.
 */

export interface PolicyDiff {
  readonly from: { readonly company: string; readonly version: string };
  readonly to: { readonly company: string; readonly version: string };
  readonly changes: readonly PolicyChange[];
  readonly material: boolean;
}

export const MATERIAL_RULES = [
  "a new purpose, or a purpose that uses more categories, more channels or no longer needs a permission",
  "a new category of data collected",
  "a new recipient of a kind no earlier recipient had, or a recipient whose kind changes",
  "a recipient that receives more categories or serves more purposes, needs fewer requirements, loses its opt-out scope or no longer concerns a single customer",
  "a weaker basis: consent → opt_out → legitimate_interest / contract / legal_obligation",
  "an aggregate-only purpose that is no longer aggregate-only; an own-use-only purpose that is no longer own-use-only",
  "an essential message class added, suppression channels shrunk or suppression dropped, former customers made contactable, the send guard loosened or dropped",
  "third_parties false → true; sale never → with_permission",
  "the minimum age lowered or removed",
  "a clause removed",
  "analytics: minimum cohort lowered, noise weakened or removed, the block removed",
  "staff: attestation no longer required, a role added or given more purposes",
  "residency widened or dropped; TLS no longer required",
  "more grounds for disclosure or for opening communications; a case no longer required",
  "data kept longer",
] as const;

export function diffPolicies(old: PolicyPack, next: PolicyPack): PolicyDiff {
  const changes: PolicyChange[] = [];
  const note = (area: DiffArea, id: string, kind: ChangeKind, detail: string, why?: string): void => {
    changes.push(
      why === undefined
        ? { area, id, kind, detail, material: false }
        : { area, id, kind, detail, material: true, why },
    );
  };
  diffBlocks(old, next, note);
  return {
    from: { company: old.company, version: old.version },
    to: { company: next.company, version: next.version },
    changes,
    material: changes.some((c) => c.material),
  };
}

/** Human-readable diff; material changes start with `! material:`. */
export function formatDiff(diff: PolicyDiff): string {
  const count = diff.changes.filter((c) => c.material).length;
  const head =
    `${diff.from.company} ${diff.from.version} → ${diff.to.company} ${diff.to.version}: ` +
    `${diff.changes.length} change${diff.changes.length === 1 ? "" : "s"}, ${count} material`;
  const lines = diff.changes.map((c) =>
    c.material
      ? `! material: ${c.kind} ${c.area} ${c.id}: ${c.detail} (${c.why ?? ""})`
      : `  ${c.kind} ${c.area} ${c.id}: ${c.detail}`,
  );
  return [head, ...lines].join("\n") + "\n";
}
