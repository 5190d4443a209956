import { createHash } from "node:crypto";
import { residencyProblem } from "./residency.ts";
import { compilePolicy, GateConfigError } from "../gate/compile.ts";
import { PledgeError } from "../errors.ts";
import { diffPolicies, type PolicyDiff } from "./diff.ts";
import { instant, type PolicyHistory, type PolicyVersion } from "./history.ts";
import { parsePackSource } from "./load.ts";
import type { PolicyPack } from "./schema.ts";

/**
 * Checking a pack posted while Pledge runs, before anything is written. Pure: the caller passes
 * the versions known (files and store) and the time. A version takes effect at its
 * `effective_from`, or at the moment it is posted when that is later: a version never applies
 * retroactively, so every use already made keeps the version that was in force then (PS-10,
 * Z19-08).
 */

export interface Publication {
  readonly pack: PolicyPack;
  readonly yaml: string;
  readonly sha256: string;
  /** When the version takes effect: max(effective_from, now). */
  readonly effectiveAt: Date;
  /** The version in force just before `effectiveAt`, which this one follows; null when none. */
  readonly previous: PolicyPack | null;
  /** `pledge policy diff previous new`; null when there is no previous version. */
  readonly diff: PolicyDiff | null;
}

/**
 * Refuses, with a `PolicyError` (the loader's, with line and column) or a `PledgeError`: a pack
 * that does not load or cannot be enforced; a pack of another company; a version already known;
 * an `effective_from` earlier than the version in force now; a version that would take effect at
 * the same instant as another; a pack whose residency excludes this deployment's region.
 */
export function preparePublication(
  history: PolicyHistory,
  yaml: string,
  now: Date,
  opts: { readonly source: string; readonly region: string },
): Publication {
  const { pack } = parsePackSource(yaml, opts.source);
  if (pack.company !== history.company) {
    throw new PledgeError(
      "PLEDGE_POLICY_WRONG_COMPANY",
      `the pack is for company "${pack.company}"; this deployment enforces "${history.company}"`,
    );
  }
  if (history.versions.some((v) => v.pack.version === pack.version)) {
    throw new PledgeError(
      "PLEDGE_POLICY_VERSION_EXISTS",
      `version "${pack.version}" of the ${pack.company} policy is already published; give the new pack a new version`,
    );
  }
  const declared = instant(pack.effective_from);
  const current = versionAt(history.versions, now.getTime());
  if (current !== null && declared < current.from) {
    throw new PledgeError(
      "PLEDGE_POLICY_BACKDATED",
      `effective_from ${pack.effective_from} is earlier than version "${current.pack.version}", ` +
        `in force since ${new Date(current.from).toISOString()}`,
    );
  }
  const effectiveAt = Math.max(declared, now.getTime());
  const twin = history.versions.find((v) => v.from === effectiveAt);
  if (twin !== undefined) {
    throw new PledgeError(
      "PLEDGE_POLICY_VERSION_EXISTS",
      `version "${twin.pack.version}" already takes effect at ${new Date(effectiveAt).toISOString()}`,
    );
  }
  try {
    compilePolicy(pack);
  } catch (error) {
    if (error instanceof GateConfigError) throw new PledgeError("PLEDGE_POLICY_MISCONFIGURED", error.message);
    throw error;
  }
  const residency = residencyProblem(pack, opts.region);
  if (residency !== null) throw new PledgeError("PLEDGE_POLICY_MISCONFIGURED", residency);

  const previous = versionAt(history.versions, effectiveAt - 1)?.pack ?? null;
  return {
    pack,
    yaml,
    sha256: sha256(yaml),
    effectiveAt: new Date(effectiveAt),
    previous,
    diff: previous === null ? null : diffPolicies(previous, pack),
  };
}

/** The latest version whose instant is not after `t` (ms); null before the first. */
export function versionAt(versions: readonly PolicyVersion[], t: number): PolicyVersion | null {
  for (let i = versions.length - 1; i >= 0; i--) {
    const v = versions[i];
    if (v !== undefined && v.from <= t) return v;
  }
  return null;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** How a stored version is named in issues and in `PolicyVersion.file`. */
export function storedSource(version: string): string {
  return `policy_versions/${version}`;
}
