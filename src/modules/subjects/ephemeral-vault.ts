import { createSecretKey, randomBytes } from "node:crypto";
import { memoryKeyring } from "../../crypto/keys.ts";
import { createVault } from "../../crypto/vault.ts";
import type { Vault } from "../../crypto/vault.types.ts";

/**
 * A vault whose master and index keys exist only in this process's memory: what createApp uses
 * when it is given no vault (tests). Whatever it encrypts is unreadable once the process ends,
 * so `pledge serve` always passes the configured vault instead.
 */
export function ephemeralVault(): Vault {
  const master = createSecretKey(randomBytes(32));
  return createVault(memoryKeyring("ephemeral", { ephemeral: master }), createSecretKey(randomBytes(32)));
}
