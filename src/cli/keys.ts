import { openConfiguredStore, prepareSchema, StartError } from "../app.ts";
import { ConfigError, loadConfig, type Config } from "../config.ts";
import { VaultError } from "../crypto/errors.ts";
import { addKeyToFile, removeKeyFromFile } from "../crypto/keyring-file.ts";
import { loadKeys, type Keyring } from "../crypto/keys.ts";
import { keyStatus, retireRefusal, rewrapSubjectKeys } from "../crypto/rotate.ts";
import type { Store } from "../store/store.ts";
import { parseCommandLine, UsageError, usageFailure } from "./args.ts";
import type { Io } from "./io.ts";

export const KEYS_USAGE = `usage:
  pledge keys init                          create the master keyring and the index key files if missing
  pledge keys status                        how many data keys each master key version wraps
  pledge keys rotate [--resume] [--batch-size N]
                                            add a master key version, make it current, re-wrap every
                                            data key under it (--resume: finish without a new version)
  pledge keys retire KEY_ID                 remove a master key version no data key uses any more

The files are PLEDGE_MASTER_KEY_FILE and PLEDGE_INDEX_KEY_FILE (default: master.keys and index.key
in PLEDGE_DATA_DIR). Against PostgreSQL, run \`pledge keys init\` once and give every node the same
files (docs/encryption.md).`;

const ENV_MODE = `the master key comes from PLEDGE_MASTER_KEY (one key, version "env"), which cannot hold a
second version. To rotate, move it into a keyring file: write
  { "current": "env", "keys": { "env": "<the value of PLEDGE_MASTER_KEY>" } }
to a file with mode 0600, set PLEDGE_MASTER_KEY_FILE to its path, unset PLEDGE_MASTER_KEY, restart
the servers, then run \`pledge keys rotate\` (see docs/encryption.md).`;

/**
 * `pledge keys`: the master keyring and the data keys it wraps. Rotation runs beside serving
 * servers (PostgreSQL; the embedded store is one process's, so stop `pledge serve` first there):
 * they pick up the new version from the keyring file when they first meet it.
 */
export async function keysCommand(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (argv.length === 0) {
    io.err(KEYS_USAGE);
    return 2;
  }
  const [sub, ...rest] = argv;
  let args;
  let batchSize: number;
  try {
    if (sub !== "init" && sub !== "status" && sub !== "rotate" && sub !== "retire") {
      throw new UsageError(`unknown subcommand ${JSON.stringify(sub)}`);
    }
    args = parseCommandLine(rest, { resume: { type: "boolean" }, "batch-size": { type: "string" } });
    const flag = Object.keys(args.values)[0];
    if (sub !== "rotate" && flag !== undefined) {
      throw new UsageError(`--${flag} is an option of keys rotate only`);
    }
    const wanted = sub === "retire" ? 1 : 0;
    if (args.positionals.length < wanted) throw new UsageError("keys retire needs a KEY_ID");
    if (args.positionals.length > wanted) {
      throw new UsageError(`unexpected argument ${args.positionals[wanted]}`);
    }
    const size = args.values["batch-size"] ?? "500";
    batchSize = Number(size);
    if (!/^\d+$/.test(size) || !Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw new UsageError(`--batch-size: expected a positive integer, got ${JSON.stringify(size)}`);
    }
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, "keys", error.message);
    throw error;
  }
  try {
    const config = loadConfig(env);
    const keys = loadKeys(env, { dataDir: config.dataDir, create: sub === "init", warn: io.err });
    if (sub === "init") {
      io.out(
        keys.created.length === 0
          ? "the keys exist already; nothing created"
          : `created: ${keys.created.join(", ")}`,
      );
      return 0;
    }
    if (sub !== "status" && keys.keyring.source === "env") {
      io.err(`pledge keys: ${ENV_MODE}`);
      return 1;
    }
    return await withStore(config, async (store) => {
      if (sub === "status") return status(store, keys.keyring, io);
      const file = keys.keyring.file ?? "";
      if (sub === "retire") {
        const id = args.positionals[0] ?? "";
        const refusal = await retireRefusal(store.db, keys.keyring, id);
        if (refusal !== null) {
          io.err(`pledge keys retire: ${refusal}`);
          return 1;
        }
        removeKeyFromFile(file, id);
        io.out(`retired ${id}: removed from ${file}`);
        return 0;
      }
      if (!args.values.resume) io.out(`added master key ${addKeyToFile(file)} to ${file}; it is now current`);
      const report = await rewrapSubjectKeys(store.db, keys.keyring, {
        batchSize,
        onBatch: (p) => io.out(`re-wrapped ${p.rewrapped}/${p.total}`),
      });
      io.out(
        `done: ${report.rewrapped} data key(s) re-wrapped under ${report.target} in ${report.batches} batch(es)`,
      );
      return status(store, keys.keyring, io);
    });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StartError || error instanceof VaultError) {
      io.err(`pledge keys: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

async function withStore(config: Config, use: (store: Store) => Promise<number>): Promise<number> {
  const store = await openConfiguredStore(config);
  try {
    await prepareSchema(store);
    return await use(store);
  } finally {
    await store.close();
  }
}

async function status(store: Store, keyring: Keyring, io: Io): Promise<number> {
  keyring.reload();
  const counts = new Map((await keyStatus(store.db)).map((s) => [s.masterKeyId, s.dataKeys]));
  const current = keyring.current().id;
  for (const id of new Set([...keyring.ids(), ...counts.keys()])) {
    const where =
      keyring.find(id) === undefined ? "  (NOT IN THE KEYRING)" : id === current ? "  (current)" : "";
    io.out(`${id}\t${counts.get(id) ?? 0} data key(s)${where}`);
  }
  return 0;
}
