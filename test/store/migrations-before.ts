import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MIGRATIONS_DIR } from "../../src/store/migrate.ts";

/**
 * A folder holding the migrations named before `name` (links to them), to bring a store to the
 * shape an earlier version made. The migrations import `../citus.ts`; the copy keeps that path.
 */
export function migrationsBefore(name: string): { readonly dir: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), "pledge-migrations-before-"));
  const dir = join(root, "migrations");
  mkdirSync(dir);
  symlinkSync(join(MIGRATIONS_DIR, "..", "citus.ts"), join(root, "citus.ts"));
  for (const file of readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith(".ts") && f < name))
    symlinkSync(join(MIGRATIONS_DIR, file), join(dir, file));
  return { dir, remove: () => rmSync(root, { recursive: true, force: true }) };
}
