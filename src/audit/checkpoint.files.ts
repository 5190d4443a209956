import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

/** What keeping a checkpoint's files came to: the files written, or why they were not. */
export type KeptFiles =
  { readonly ok: true; readonly files: readonly string[] } | { readonly ok: false; readonly problem: string };

/** `checkpoint-<seq, 12 digits>.note`: one per checkpoint, sorting in log order. */
export function checkpointFileName(seq: number): string {
  return `checkpoint-${String(seq).padStart(12, "0")}.note`;
}

/** The copy of the newest checkpoint in the directory. */
export const LATEST_FILE = "latest";

/**
 * Writes a signed checkpoint note to `dir`, outside the database it protects: its own file, then
 * `latest`. Each is written to a temporary file (mode 0600), flushed and renamed into place, so a
 * reader never sees half a checkpoint; the directory is created with mode 0700. Never throws: a
 * failure is returned, naming the file and the system error (paths and codes only), so the
 * caller reports it while the checkpoint stays recorded in the database.
 */
export function keepCheckpointFiles(dir: string, seq: number, note: string): KeptFiles {
  const files = [join(dir, checkpointFileName(seq)), join(dir, LATEST_FILE)];
  let current = dir;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const file of files) {
      current = file;
      writeAtomically(file, note);
    }
    syncDirectory(dir);
    return { ok: true, files };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return { ok: false, problem: `${current}: ${e.code ?? e.name} (${e.syscall ?? "write"})` };
  }
}

function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Makes the renames durable: a crash after this leaves the new names, not the old ones. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
