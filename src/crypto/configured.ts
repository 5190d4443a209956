import type { Config } from "../config.ts";
import { loadKeys } from "./keys.ts";
import { createVault } from "./vault.ts";
import type { Vault } from "./vault.types.ts";

/**
 * The vault `pledge serve` runs with: keys from the environment or the key files (see keys.ts).
 * On the embedded store missing key files are created on first start (with a warning through
 * `warn`); against PostgreSQL they never are, because several servers must share one keyring:
 * a missing key stops start-up. Throws VaultError with a message saying what to set.
 */
export function openConfiguredVault(
  env: Readonly<Record<string, string | undefined>>,
  config: Pick<Config, "dataDir" | "databaseUrl">,
  warn: (message: string) => void,
): Vault {
  const keys = loadKeys(env, { dataDir: config.dataDir, create: config.databaseUrl === null, warn });
  return createVault(keys.keyring, keys.indexKey);
}
