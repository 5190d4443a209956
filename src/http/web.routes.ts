import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { PledgeError } from "../errors.ts";

/**
 * The web applications, served from the same origin as the API they call (no CORS): files built by
 * Vite (`npm run build:web`, src/web/) into `dist/web`. Each application is one HTML entry and the
 * paths it answers; its pages route in the browser. The privacy center answers `/` and its pages;
 * the console for staff answers `/console` and the paths under it.
 *
 * Every page gets a strict Content-Security-Policy: scripts, styles, images and fonts from this
 * origin only, no inline script or style, requests to this origin only, forms posting here only,
 * and (from installSecurityHeaders) no framing. The built files are read once, when the routes
 * are registered. A server without a build answers its pages with 503 PLEDGE_WEB_NOT_BUILT and
 * serves the API all the same.
 */
export const WEB_APPS = [
  {
    name: "privacy center",
    entry: "index.html",
    paths: ["/", "/signin", "/signup", "/privacy", "/privacy/*", "/my/*"],
  },
  { name: "console", entry: "console.html", paths: ["/console", "/console/*"] },
] as const;

export const WEB_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "manifest-src 'self'",
].join("; ");

/** Where `npm run build:web` writes: dist/web at the package's root. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL("../../dist/web/", import.meta.url));

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".json": "application/json",
};

const PUBLIC = { callers: { public: true }, personal: false } as const;

export async function webRoutes(app: FastifyInstance, opts: { root: string }): Promise<void> {
  const assetsDir = path.join(opts.root, "assets");
  // Built assets carry a content hash in their names: cached for a year, never revalidated.
  const assets = new Map<string, { body: Buffer; type: string }>();
  if (existsSync(assetsDir)) {
    for (const name of readdirSync(assetsDir)) {
      const type = TYPES[path.extname(name)];
      if (type !== undefined) assets.set(name, { body: readFileSync(path.join(assetsDir, name)), type });
    }
  }
  app.get<{ Params: { name: string } }>(
    "/assets/:name",
    { config: { use: PUBLIC }, schema: { hide: true } },
    async (request, reply) => {
      const asset = assets.get(request.params.name);
      if (asset === undefined) throw new PledgeError("PLEDGE_NOT_FOUND", "no such file");
      return reply
        .type(asset.type)
        .header("cache-control", "public, max-age=31536000, immutable")
        .header("content-security-policy", WEB_CSP)
        .send(asset.body);
    },
  );

  for (const web of WEB_APPS) {
    const file = path.join(opts.root, web.entry);
    const html = existsSync(file) ? readFileSync(file) : null;
    for (const url of web.paths) {
      app.get(url, { config: { use: PUBLIC }, schema: { hide: true } }, async (_request, reply) => {
        if (html === null) {
          throw new PledgeError(
            "PLEDGE_WEB_NOT_BUILT",
            `the ${web.name} is not built: run npm run build:web (it writes ${opts.root})`,
          );
        }
        // The page is the same for everyone; whatever it shows of a person comes from the API.
        return reply
          .type("text/html; charset=utf-8")
          .header("cache-control", "no-cache")
          .header("content-security-policy", WEB_CSP)
          .send(html);
      });
    }
  }
}
