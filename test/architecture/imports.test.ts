import { describe, expect, it } from "vitest";
import { cycles, importGraph, importsOf, type Edge } from "./graph.ts";

/**
 * The layers of DESIGN.md, kept by a test over the import graph of src/:
 * - no import cycles;
 * - the gate is pure: it reaches no store, log, key, clock source or network, and no module;
 * - domain code never imports HTTP: only src/http/, the route files of modules and the CLI do;
 * - routes and commands reach personal data only through modules: no query builder, no
 *   repository, no table of their own;
 * - policy/ (load, validate, version, render) reaches neither the store nor the app.
 * Each rule names the arrows that break it, so a failure says what to move.
 */
const edges = importGraph();

const inside = (dir: string) => (file: string) => file.startsWith(dir);
const arrows = (list: readonly Edge[]) => list.map((e) => `${e.from} -> ${e.to}`);
/** A module's HTTP edge: its routes and the JSON schemas they validate with. */
const isRoutes = (f: string) => /\.(routes|schemas)\.ts$/.test(f);

/** Packages that talk to the world: a file importing one of them does I/O. */
const IO_PACKAGES = ["node:fs", "node:fs/promises", "node:net", "node:http", "node:child_process", "pg"];

describe("the import graph of src/", () => {
  it("has no cycles", () => {
    expect(cycles(edges)).toEqual([]);
  });

  it("the gate does no I/O and knows nothing of the store, the audit log, keys, HTTP or modules", () => {
    const allowed = (to: string) =>
      to.startsWith("src/gate/") ||
      to === "src/policy/schema.ts" ||
      to === "src/store/database.ts" || // table types, for the SQL the gate compiles (never run there)
      to === "kysely" ||
      to === "zod";
    const bad = edges.filter((e) => inside("src/gate/")(e.from) && !allowed(e.to));
    expect(arrows(bad)).toEqual([]);
    // A query the gate compiles is run by its caller: no file of the gate executes one.
    const running = edges.filter(
      (e) => inside("src/gate/")(e.from) && e.to === "src/store/database.ts" && !e.typeOnly,
    );
    expect(arrows(running)).toEqual([]);
  });

  it("domain code never imports HTTP", () => {
    const mayUseHttp = (f: string) => f.startsWith("src/http/") || f.startsWith("src/cli/") || isRoutes(f);
    const bad = edges.filter((e) => e.to.startsWith("src/http/") && !mayUseHttp(e.from));
    expect(arrows(bad)).toEqual([]);
  });

  it("routes and commands reach personal data only through modules", () => {
    const entry = (f: string) => /\.routes\.ts$/.test(f) || f.startsWith("src/cli/");
    // A table's types (an enum of its columns) are vocabulary; its rows are reached through a module.
    const data = (e: Edge) =>
      (e.to === "kysely" && !e.typeOnly) ||
      /\.repository\.ts$/.test(e.to) ||
      (/\.table\.ts$/.test(e.to) && !e.typeOnly) ||
      e.to.startsWith("src/store/migrations/");
    const bad = edges.filter((e) => entry(e.from) && data(e));
    expect(arrows(bad)).toEqual([]);
  });

  it("policy/ reaches neither the store nor the app", () => {
    const forbidden = [
      "src/store/",
      "src/http/",
      "src/modules/",
      "src/audit/",
      "src/crypto/",
      "src/use/",
      "src/jobs/",
      "src/cli/",
      "src/app.ts",
    ];
    const bad = edges.filter(
      (e) =>
        inside("src/policy/")(e.from) &&
        (forbidden.some((p) => e.to.startsWith(p)) ||
          (IO_PACKAGES.includes(e.to) && !e.from.endsWith("/load.ts") && !e.from.endsWith("/history.ts"))),
    );
    expect(arrows(bad)).toEqual([]);
  });

  it("reads imports the way the rules assume", () => {
    const text = [
      'import { a } from "./a.ts";',
      'import type { B } from "../b.ts";',
      'export { c } from "./c.ts";',
      "// import { no } from './comment.ts';",
      'const d = await import("./d.ts");',
      'import { sql } from "kysely";',
      'import "./side-effect.ts";',
    ].join("\n");
    expect(importsOf("src/x/y.ts", text)).toEqual([
      { from: "src/x/y.ts", to: "src/x/a.ts", typeOnly: false },
      { from: "src/x/y.ts", to: "src/b.ts", typeOnly: true },
      { from: "src/x/y.ts", to: "src/x/c.ts", typeOnly: false },
      { from: "src/x/y.ts", to: "kysely", typeOnly: false },
      { from: "src/x/y.ts", to: "src/x/side-effect.ts", typeOnly: false },
      { from: "src/x/y.ts", to: "src/x/d.ts", typeOnly: false },
    ]);
    expect(
      cycles([
        { from: "src/a.ts", to: "src/b.ts", typeOnly: true },
        { from: "src/b.ts", to: "src/a.ts", typeOnly: false },
        { from: "src/b.ts", to: "src/c.ts", typeOnly: false },
      ]),
    ).toEqual([["src/a.ts", "src/b.ts"]]);
  });
});
