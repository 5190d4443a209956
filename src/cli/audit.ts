import { checkpoint } from "../audit/checkpoint.ts";
import { loadOrCreateSigner, publicKeyFileFor, readPublicKey } from "../audit/keys.ts";
import { verifyAudit } from "../audit/verify.ts";
import { formatProblem } from "../audit/verify.report.ts";
import { openStore } from "../store/connection.ts";
import { dataPaths, storeOptionsFromEnv } from "../store/options.ts";
import { parseCommandLine, UsageError, usageFailure } from "./args.ts";
import type { Io } from "./io.ts";

export const AUDIT_USAGE = `usage:
  pledge audit verify [--public-key FILE]   check the whole audit log: its hash chain and the
                                            signatures of its checkpoints (the public key: FILE,
                                            else the .pub file beside the signing key)
  pledge audit checkpoint                   sign the head of the log with the signing key
                                            (PLEDGE_AUDIT_KEY_FILE, else <data dir>/audit-signing.key,
                                            created on first use)`;

/**
 * `pledge audit verify`: checks the whole log; exit 0 when intact, 1 with one line per problem
 * (`row <seq>: <kind> <detail>`). The public key is `--public-key`, else the `.pub` file beside
 * the signing key. `pledge audit checkpoint`: signs the head of the log with the signing key
 * (PLEDGE_AUDIT_KEY_FILE, else `<data dir>/audit-signing.key`, created on first use).
 */
export async function auditCommand(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined) {
    io.err(AUDIT_USAGE);
    return 2;
  }
  if (sub !== "verify" && sub !== "checkpoint") {
    return usageFailure(io, "audit", `unknown subcommand ${JSON.stringify(sub)}`);
  }
  let args;
  try {
    args = parseCommandLine(rest, { "public-key": { type: "string" } });
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
    if (sub === "checkpoint" && args.values["public-key"] !== undefined) {
      throw new UsageError("--public-key is an option of audit verify");
    }
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, "audit", error.message);
    throw error;
  }
  const keyFile = dataPaths(env).auditKeyFile;
  if (sub === "verify") {
    const pubFile = args.values["public-key"] ?? publicKeyFileFor(keyFile);
    const publicKey = readPublicKey(pubFile);
    if (publicKey === null) io.err(`no public key at ${pubFile}: checkpoint signatures cannot be checked`);
    return withStore(env, async (db) => {
      const report = await verifyAudit(db, publicKey);
      for (const p of report.problems) io.out(formatProblem(p));
      io.out(`${report.checked} rows checked, ${report.problems.length} problem(s)`);
      return report.ok ? 0 : 1;
    });
  }
  const { signer, created } = loadOrCreateSigner(keyFile);
  if (created)
    io.err(
      `created audit signing key ${keyFile} (public key ${publicKeyFileFor(keyFile)}); keep a copy of the public key elsewhere`,
    );
  return withStore(env, async (db) => {
    const cp = await checkpoint(db, signer, new Date());
    io.out(`checkpoint at row ${cp.seq}: hash ${cp.hash} key ${cp.keyId}`);
    return 0;
  });
}

async function withStore(
  env: NodeJS.ProcessEnv,
  run: (db: Awaited<ReturnType<typeof openStore>>["db"]) => Promise<number>,
): Promise<number> {
  const store = await openStore(storeOptionsFromEnv(env));
  try {
    return await run(store.db);
  } finally {
    await store.close();
  }
}
