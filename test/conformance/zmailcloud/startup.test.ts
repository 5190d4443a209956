import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../../..");
const dataDir = mkdtempSync(path.join(tmpdir(), "pledge-zm11-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function serve(region: string) {
  return spawnSync(process.execPath, ["bin/pledge.js", "serve"], {
    cwd: root,
    env: {
      ...process.env,
      PORT: "0",
      PLEDGE_HOST: "127.0.0.1",
      PLEDGE_DATA_DIR: dataDir,
      PLEDGE_POLICY: "zmailcloud",
      PLEDGE_REGION: region,
      DATABASE_URL: "",
      LOG_LEVEL: "warn",
    },
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe("zmailcloud start-up", () => {
  it("ZM-11: `pledge serve` refuses to start a store outside the USA, naming the clause", () => {
    for (const region of ["eu", "ca"]) {
      const run = serve(region);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/refusing to start: .*clause ZM-11/);
      expect(run.stderr).toContain(`PLEDGE_REGION is ${region}`);
    }
  });
});
