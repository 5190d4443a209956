import { readFileSync } from "node:fs";
import { checkpoint } from "../audit/checkpoint.ts";
import { keepCheckpointFiles } from "../audit/checkpoint.files.ts";
import { checkAgainstNote } from "../audit/checkpoint.verify.ts";
import { loadOrCreateSigner, publicKeyFileFor, readPublicKey } from "../audit/keys.ts";
import { checkpointOrigin, NoteError, noteSignedBy, parseNote, type ParsedNote } from "../audit/note.ts";
import { verifyAudit } from "../audit/verify.ts";
import { formatProblem } from "../audit/verify.report.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { dataPaths } from "../store/options.ts";
import { parseCommandLine, UsageError, usageFailure } from "./args.ts";
import { auditLogCommand, LOG_USAGE } from "./audit-log.ts";
import type { Io } from "./io.ts";
import { withStore } from "./with-store.ts";

export const AUDIT_USAGE = `usage:
  pledge audit verify [--public-key FILE] [--checkpoint FILE]   check the log; with --checkpoint, also that it still holds what that signed checkpoint committed to
  pledge audit checkpoint                                       sign the head of the log (and write it to PLEDGE_CHECKPOINT_DIR)
${LOG_USAGE}`;

/**
 * `pledge audit verify`: checks the whole log; exit 0 when intact, 1 with one line per problem
 * (`row <seq>: <kind> <detail>`), 2 when the command cannot start (usage, a checkpoint file that
 * is missing or not a checkpoint). The public key is `--public-key` (PEM or a verifier key line),
 * else the `.pub` file beside the signing key. `--checkpoint FILE`: a signed checkpoint kept
 * outside the database; its signature must verify, and the log must still hold its rows.
 * `pledge audit checkpoint`: signs the head of the log with the signing key (PLEDGE_AUDIT_KEY_FILE,
 * else `<data dir>/audit-signing.key`, created on first use) and writes the signed note to
 * PLEDGE_CHECKPOINT_DIR. `pledge audit log`: see audit-log.ts.
 */
export async function auditCommand(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "log") return auditLogCommand(rest, io, env);
  if (sub === "verify") return verify(rest, io, env);
  if (sub === "checkpoint") {
    if (rest.length > 0) return usageFailure(io, "audit", `unexpected argument ${rest[0]}`);
    return makeCheckpoint(io, env);
  }
  if (sub === "--help" || sub === "-h" || sub === "help") {
    io.out(AUDIT_USAGE);
    return 0;
  }
  if (sub === undefined) {
    io.err(AUDIT_USAGE);
    return 2;
  }
  return usageFailure(io, "audit", `unknown subcommand ${JSON.stringify(sub)}`);
}

async function verify(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  let values: { "public-key"?: string; checkpoint?: string };
  try {
    const args = parseCommandLine(argv, { "public-key": { type: "string" }, checkpoint: { type: "string" } });
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
    values = args.values;
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, "audit", error.message);
    throw error;
  }
  const pubFile = values["public-key"] ?? publicKeyFileFor(dataPaths(env).auditKeyFile);
  let publicKey;
  try {
    publicKey = readPublicKey(pubFile);
  } catch (error) {
    io.err(`pledge audit verify: ${pubFile} is not a public key: ${(error as Error).message}`);
    return 2;
  }
  if (publicKey === null) io.err(`no public key at ${pubFile}: checkpoint signatures cannot be checked`);

  let note: ParsedNote | null = null;
  if (values.checkpoint !== undefined) {
    const file = values.checkpoint;
    const read = readCheckpointFile(file);
    if (typeof read === "string") {
      io.err(`pledge audit verify: ${read}`);
      return 2;
    }
    if (publicKey === null) return 2;
    if (!noteSignedBy(read, publicKey)) {
      io.err(
        `pledge audit verify: the signature of ${file} does not verify with the public key ${pubFile}: ` +
          `the checkpoint was altered or signed by another key, so it proves nothing`,
      );
      return 1;
    }
    note = read;
  }

  return withStore(io, env, "verify", async (db) => {
    const report = await verifyAudit(db, publicKey);
    const held = note === null ? [] : await checkAgainstNote(db, note);
    const problems = [...report.problems, ...held].sort(
      (a, b) => (a.chain ?? 0) - (b.chain ?? 0) || a.seq - b.seq,
    );
    for (const p of problems) io.out(formatProblem(p));
    if (note !== null && held.length === 0)
      io.out(
        note.heads === undefined
          ? `checkpoint ${values.checkpoint}: the log holds its ${note.size} rows and row ${note.size} has its hash`
          : `checkpoint ${values.checkpoint}: the log holds its ${note.size} rows and each of its ${note.heads.length} chains' heads has its hash`,
      );
    io.out(`${report.checked} rows checked, ${problems.length} problem(s)`);
    return problems.length === 0 ? 0 : 1;
  });
}

/** The checkpoint in `file`, or why it cannot be read as one (no stack trace, no file content). */
function readCheckpointFile(file: string): ParsedNote | string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT"
      ? `no checkpoint file at ${file}`
      : `cannot read the checkpoint file ${file}: ${code ?? (error as Error).message}`;
  }
  try {
    return parseNote(text);
  } catch (error) {
    if (error instanceof NoteError) return `${file} is not a signed checkpoint: ${error.message}`;
    throw error;
  }
}

async function makeCheckpoint(io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`pledge audit checkpoint: ${error.message}`);
      return 1;
    }
    throw error;
  }
  const keyFile = dataPaths(env).auditKeyFile;
  const { signer, created } = loadOrCreateSigner(keyFile);
  if (created)
    io.err(
      `created audit signing key ${keyFile} (public key ${publicKeyFileFor(keyFile)}); keep a copy of the public key elsewhere`,
    );
  return withStore(io, env, "checkpoint", async (db) => {
    const cp = await checkpoint(db, signer, new Date(), checkpointOrigin(config.mail.publicUrl));
    io.out(`checkpoint at row ${cp.seq}: hash ${cp.hash} key ${cp.keyId}`);
    const dir = config.checkpointDir;
    if (dir === null) {
      io.err(
        "PLEDGE_CHECKPOINT_DIR is not set: this checkpoint is kept in the database only, which does not prove a truncation",
      );
      return 0;
    }
    const kept = keepCheckpointFiles(dir, cp.seq, cp.note);
    if (!kept.ok) {
      io.err(
        `pledge audit checkpoint: the checkpoint is recorded in the database, but its file was not written: ${kept.problem}`,
      );
      return 1;
    }
    io.out(`wrote ${kept.files.join(" and ")}`);
    return 0;
  });
}
