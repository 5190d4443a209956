import { checkpoint } from "../audit/checkpoint.ts";
import { loadOrCreateSigner, publicKeyFileFor, readPublicKey } from "../audit/keys.ts";
import { verifyAudit } from "../audit/verify.ts";
import { formatProblem } from "../audit/verify.report.ts";
import { openStore } from "../store/connection.ts";
import { dataPaths, storeOptionsFromEnv } from "../store/options.ts";
import type { Io } from "./io.ts";

const USAGE = "usage: pledge audit verify [--public-key <file>] | pledge audit checkpoint";

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
  const keyFile = dataPaths(env).auditKeyFile;
  if (sub === "verify") {
    const flag = rest.indexOf("--public-key");
    const pubFile = flag >= 0 ? rest[flag + 1] : publicKeyFileFor(keyFile);
    if (pubFile === undefined) {
      io.err(USAGE);
      return 2;
    }
    const publicKey = readPublicKey(pubFile);
    if (publicKey === null) io.err(`no public key at ${pubFile}: checkpoint signatures cannot be checked`);
    return withStore(env, async (db) => {
      const report = await verifyAudit(db, publicKey);
      for (const p of report.problems) io.out(formatProblem(p));
      io.out(`${report.checked} rows checked, ${report.problems.length} problem(s)`);
      return report.ok ? 0 : 1;
    });
  }
  if (sub === "checkpoint" && rest.length === 0) {
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
  io.err(USAGE);
  return 2;
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
