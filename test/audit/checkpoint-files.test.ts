import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { keepCheckpointFiles } from "../../src/audit/checkpoint.files.ts";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "pledge-checkpoint-files-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("checkpoint files outside the database", () => {
  it("writes one file per checkpoint and `latest`, mode 0600, in a directory made with mode 0700", () => {
    const dir = join(root, "checkpoints");
    const kept = keepCheckpointFiles(dir, 6, "note six\n");
    expect(kept).toEqual({
      ok: true,
      files: [join(dir, "checkpoint-000000000006.note"), join(dir, "latest")],
    });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of ["checkpoint-000000000006.note", "latest"]) {
      expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(dir, file), "utf8")).toBe("note six\n");
    }
  });

  it("a later checkpoint replaces `latest` and keeps the earlier file; no temporary file is left", () => {
    const dir = join(root, "checkpoints");
    keepCheckpointFiles(dir, 6, "note six\n");
    keepCheckpointFiles(dir, 1234, "note 1234\n");
    expect(readdirSync(dir).sort()).toEqual([
      "checkpoint-000000000006.note",
      "checkpoint-000000001234.note",
      "latest",
    ]);
    expect(readFileSync(join(dir, "latest"), "utf8")).toBe("note 1234\n");
    expect(readFileSync(join(dir, "checkpoint-000000000006.note"), "utf8")).toBe("note six\n");
  });

  it("a directory that cannot be made is a returned problem naming the path and the error, not an exception", () => {
    const notADir = join(root, "a-file");
    writeFileSync(notADir, "");
    const kept = keepCheckpointFiles(notADir, 6, "note six\n");
    expect(kept).toEqual({
      ok: false,
      problem: expect.stringMatching(/a-file: (EEXIST|ENOTDIR) \(mkdir\)$/),
    });
    expect(readFileSync(notADir, "utf8")).toBe("");
  });
});
