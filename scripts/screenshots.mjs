#!/usr/bin/env node
// The README's pictures of the privacy center and the console, taken by the browser tests that
// drive those pages (test/web/browser.ts, README_SCREENSHOTS), so they show what the tests saw.
// Needs /usr/bin/chromium (apt-get install chromium).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
if (!existsSync("/usr/bin/chromium")) {
  console.error("screenshots need /usr/bin/chromium: apt-get install chromium");
  process.exit(1);
}
const dir = `${root}docs/screenshots`;
mkdirSync(dir, { recursive: true });
const tests = [
  "test/conformance/zmailcloud/privacy-center.test.ts",
  "test/conformance/zzservers/console.test.ts",
  "test/web/console-requests.test.ts",
];
const run = spawnSync(process.execPath, [`${root}node_modules/vitest/vitest.mjs`, "run", ...tests], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, PLEDGE_SCREENSHOTS_DIR: dir },
});
process.exit(run.status ?? 1);
