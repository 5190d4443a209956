import { chmodSync, readdirSync } from "node:fs";
import path from "node:path";

/**
 * Makes a directory tree private to its owner: directories 0700, files 0600. PGlite writes its
 * files with mode 0666 whatever the umask, so the embedded store is walked when it opens and when
 * it closes; in between, files it creates sit inside directories no one else can enter.
 */
export function makePrivate(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const at = path.join(dir, entry.name);
    if (entry.isDirectory()) makePrivate(at);
    else if (entry.isFile()) chmodSync(at, 0o600);
  }
}
