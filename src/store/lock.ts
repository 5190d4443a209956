import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import path from "node:path";

/**
 * The embedded store is one process's: PGlite keeps its database in memory and writes it back to
 * the data directory, so a second process on the same directory reads a stale copy and its writes
 * are lost. `lockDataDir` makes that a refusal instead of silent loss.
 *
 * Contract: the lock is the file `<dir>.lock`, created with O_EXCL (mode 0600) and holding the
 * owner's pid and command name, never anything a user typed. A lock whose pid is not running (a
 * process killed with SIGKILL, a container restarted) is stale and taken over. `release()`
 * removes the file only while it is still this holder's; a process that exits without closing
 * its store removes it on the way out.
 */
export class StoreLockedError extends Error {
  constructor(
    readonly lockFile: string,
    readonly owner: LockOwner,
  ) {
    super(
      `the embedded store in ${path.dirname(lockFile)} is in use by process ${owner.pid}` +
        (owner.command === "" ? "" : ` (pledge ${owner.command})`) +
        ": only one process can open it. Stop that process first, or, while `pledge serve` runs, " +
        `use the HTTP API (docs/operations.md). If no such process runs, delete ${lockFile}`,
    );
    this.name = "StoreLockedError";
  }
}

export interface LockOwner {
  readonly pid: number;
  readonly command: string;
}

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

/** Locks held by this process, so a second open in the same process is refused too. */
const held = new Set<string>();

export function lockDataDir(dir: string, command = commandName()): DataDirLock {
  const file = `${path.resolve(dir)}.lock`;
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  if (held.has(file)) throw new StoreLockedError(file, { pid: process.pid, command });
  const content = `${JSON.stringify({ pid: process.pid, command })}\n`;
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(file, content)) break;
    const found = readOwner(file);
    if (found === "gone") continue;
    if (found === null || alive(found.owner.pid) || attempt >= 5) {
      throw new StoreLockedError(file, found?.owner ?? { pid: 0, command: "" });
    }
    takeOverStale(file, found.raw);
  }
  held.add(file);
  const onExit = (): void => release();
  process.once("exit", onExit);
  function release(): void {
    process.off("exit", onExit);
    if (!held.delete(file)) return;
    try {
      if (readFileSync(file, "utf8") === content) unlinkSync(file);
    } catch {
      // already gone: nothing to release
    }
  }
  return { file, release };
}

function tryCreate(file: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The lock's owner; "gone" when the file vanished meanwhile; null when it cannot be read as one. */
function readOwner(file: string): { owner: LockOwner; raw: string } | "gone" | null {
  let raw: string;
  try {
    raw = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw error;
  }
  try {
    const parsed = JSON.parse(raw) as { pid?: unknown; command?: unknown };
    if (typeof parsed.pid !== "number" || !Number.isInteger(parsed.pid) || parsed.pid <= 0) return null;
    return { owner: { pid: parsed.pid, command: String(parsed.command ?? "") }, raw };
  } catch {
    // A lock being written this instant reads empty; treat it as held, never as stale.
    return null;
  }
}

/**
 * Whether a process with this pid runs. Our own pid counts as not running unless this process
 * holds the lock (checked before): a container restarted on the same volume often gets the pid
 * its predecessor had.
 */
function alive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Moves a stale lock aside with one rename, so of two processes taking over at once only one
 * removes it. If what was moved is not the stale lock read before (another process took it over
 * in between), it is put back, and the caller's next attempt meets that live owner.
 */
function takeOverStale(file: string, staleRaw: string): void {
  const aside = `${file}.stale-${process.pid}`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  try {
    if (readFileSync(aside, "utf8") !== staleRaw) linkSync(aside, file);
  } catch {
    // a new lock exists already: that one wins
  } finally {
    unlinkSync(aside);
  }
}

/** The pledge subcommand this process runs (`serve`, `staff`…): a name, never its arguments. */
function commandName(): string {
  const name = process.argv[2] ?? "";
  return /^[a-z-]{1,20}$/.test(name) ? name : "";
}
