import type { Vault } from "../../crypto/vault.types.ts";
import type { UseDeps } from "../../use/kernel.ts";
import type { SubjectRegistry } from "./registry.ts";

/**
 * What the customer record's use cases need: the kernel's (store, policy, vault, clock, region)
 * and the sections of a record. Built once by the composition root (createApp), the CLI and tests;
 * no use case reaches for a global.
 */
export interface SubjectsDeps extends UseDeps {
  readonly vault: Vault;
  readonly sections: SubjectRegistry;
}
