import type { Vault } from "../../crypto/vault.types.ts";
import type { UseDeps } from "../../use/kernel.ts";
import type { SubjectRegistry } from "../subjects/registry.ts";

/** What the rights-request use cases run with (one composition root builds it: src/http/app.ts). */
export interface RequestsDeps extends UseDeps {
  readonly vault: Vault;
  readonly sections: SubjectRegistry;
  /** Told, after commit, of every request that changed (notices, agents' status callbacks). */
  readonly onChange?: (requestId: string) => void;
}
