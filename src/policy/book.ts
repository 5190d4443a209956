import { compilePolicy } from "../gate/compile.ts";
import type { CompiledPolicy } from "../gate/compiled.ts";
import { inForce, type PolicyHistory, type PolicyVersion } from "./history.ts";
import type { PolicyPack } from "./schema.ts";

/**
 * Every version of the company's policy: the packs of the policy folder, given when the app is
 * built, and the versions published while Pledge runs (src/policy/publish*.ts), which can be
 * replaced at any time. Every version is compiled before it joins the book, so a misconfigured
 * version fails at start-up or when it is published, never on a request. `at(instant)` picks the
 * version in force then (PS-10) and throws `PolicyError` PLEDGE_NO_POLICY_IN_FORCE before the
 * first version.
 */
export class PolicyBook {
  private readonly compiled = new WeakMap<PolicyPack, CompiledPolicy>();
  private merged: PolicyHistory;
  private publishedVersions: readonly PolicyVersion[] = [];

  constructor(readonly files: PolicyHistory) {
    for (const v of files.versions) this.compile(v.pack);
    this.merged = files;
  }

  /** Files and published versions together, oldest first; a published version replaces a file of the same version. */
  get history(): PolicyHistory {
    return this.merged;
  }

  /** The versions that came from the store, as last loaded. */
  get published(): readonly PolicyVersion[] {
    return this.publishedVersions;
  }

  at(instant: string): { pack: PolicyPack; policy: CompiledPolicy } {
    const pack = inForce(this.merged, instant);
    return { pack, policy: this.compile(pack) };
  }

  /**
   * Replaces the published versions. Each is compiled first: when one cannot be, this throws
   * (`GateConfigError`) and the book is unchanged. Versions of another company are ignored.
   */
  setPublished(versions: readonly PolicyVersion[]): void {
    const mine = versions.filter((v) => v.pack.company === this.files.company);
    for (const v of mine) this.compile(v.pack);
    this.merged = mergeVersions(this.files, mine);
    this.publishedVersions = mine;
  }

  private compile(pack: PolicyPack): CompiledPolicy {
    let policy = this.compiled.get(pack);
    if (!policy) {
      policy = compilePolicy(pack);
      this.compiled.set(pack, policy);
    }
    return policy;
  }
}

/** The file versions, less those a published one replaces, plus the published ones, by instant. */
export function mergeVersions(files: PolicyHistory, published: readonly PolicyVersion[]): PolicyHistory {
  const replaced = new Set(published.map((v) => v.pack.version));
  const versions = [...files.versions.filter((v) => !replaced.has(v.pack.version)), ...published];
  versions.sort((a, b) => a.from - b.from);
  return { company: files.company, versions };
}
