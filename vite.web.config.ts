import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * The web build (docs/web.md): src/web/ → dist/web/, served by `pledge serve` (src/http/web.routes.ts).
 * One HTML entry per application: the privacy center (index.html) and the console (console.html). No inline script or style in the
 * output (the pages' CSP forbids both), and no module-preload polyfill (an inline script).
 */
const root = fileURLToPath(new URL("src/web/", import.meta.url));

export default defineConfig({
  root,
  base: "/",
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("dist/web/", import.meta.url)),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL("src/web/index.html", import.meta.url)),
        console: fileURLToPath(new URL("src/web/console.html", import.meta.url)),
      },
    },
  },
});
