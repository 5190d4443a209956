import { compilePolicy } from "../gate/compile.ts";
import type { CompiledPolicy } from "../gate/compiled.ts";
import { inForce, type PolicyHistory } from "../policy/history.ts";
import type { PolicyPack } from "../policy/schema.ts";

/**
 * Every version of the company's policy, compiled once when the app is built: a misconfigured
 * version fails here, at start-up, never on a request. `at(instant)` picks the version in force
 * then (PS-10) and throws `PolicyError` PLEDGE_NO_POLICY_IN_FORCE before the first version.
 */
export class PolicyBook {
  private readonly compiled = new Map<PolicyPack, CompiledPolicy>();

  constructor(readonly history: PolicyHistory) {
    for (const v of history.versions) this.compiled.set(v.pack, compilePolicy(v.pack));
  }

  at(instant: string): { pack: PolicyPack; policy: CompiledPolicy } {
    const pack = inForce(this.history, instant);
    let policy = this.compiled.get(pack);
    if (!policy) {
      policy = compilePolicy(pack);
      this.compiled.set(pack, policy);
    }
    return { pack, policy };
  }
}
