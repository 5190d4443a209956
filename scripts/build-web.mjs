#!/usr/bin/env node
// Builds the privacy center (src/web/ → dist/web/) with Vite: run by `npm install` / `npm ci`
// (prepare) and, with --if-missing, before `npm start` when no build is there yet. Where Vite is
// not installed (an install without dev dependencies) it says so and leaves the server to answer
// its pages with 503 PLEDGE_WEB_NOT_BUILT; the API works without the web build.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const built = existsSync(new URL("../dist/web/index.html", import.meta.url));
if (process.argv.includes("--if-missing") && built) process.exit(0);
// --out DIR: build somewhere else than dist/web (the browser tests build into a folder of their own).
const at = process.argv.indexOf("--out");
const outDir = at < 0 ? undefined : process.argv[at + 1];
// React's production build, whatever NODE_ENV the caller runs under (vitest sets "test").
process.env.NODE_ENV = "production";

let vite;
try {
  createRequire(import.meta.url).resolve("vite");
  vite = await import("vite");
} catch {
  console.warn(
    "vite is not installed: the web pages are not built (npm install with dev dependencies builds them)",
  );
  process.exit(0);
}
await vite.build({
  configFile: `${root}vite.web.config.ts`,
  logLevel: "warn",
  ...(outDir === undefined ? {} : { build: { outDir, emptyOutDir: true } }),
});
console.log(`built the privacy center into ${outDir ?? "dist/web"}`);
