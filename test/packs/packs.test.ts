import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { compilePolicy } from "../../src/gate/compile.ts";
import { loadPackFile } from "../../src/policy/load.ts";
import { loadPolicyHistory } from "../../src/policy/history.ts";
import type { PolicyPack } from "../../src/policy/schema.ts";

/**
 * Every pack under policies/ loads, validates and compiles, and declares exactly the clauses
 * that PROMISES.md lists for it (plus the shared ALL-xx promises it implements).
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const policiesDir = path.join(root, "policies");
const promisesFile = path.resolve(root, "../shared/PROMISES.md");

/** Clause ids per pack key, read from the catalogue's `## ... (pack `key`)` sections. */
function promisedClauses(text: string): { packs: Map<string, string[]>; shared: string[] } {
  const packs = new Map<string, string[]>();
  const shared: string[] = [];
  let current: string[] | null = null;
  for (const line of text.split("\n")) {
    if (line.startsWith("## ")) {
      const key = /\(pack `([a-z0-9-]+)`/.exec(line)?.[1];
      if (key !== undefined) packs.set(key, (current = []));
      else current = /every pack shares/i.test(line) ? shared : null;
      continue;
    }
    const id = /^- ([A-Z][A-Z0-9]*-\d{2}) /.exec(line)?.[1];
    if (id !== undefined && current !== null) current.push(id);
  }
  return { packs, shared };
}

/** Pack files keyed like the conformance suite: company, or company-YYYY when it has several. */
function packFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const company of readdirSync(policiesDir).sort()) {
    const names = readdirSync(path.join(policiesDir, company)).filter((n) => n.endsWith(".yaml"));
    for (const name of names.sort()) {
      const key = names.length > 1 ? `${company}-${name.slice(0, 4)}` : company;
      files.set(key, path.join(policiesDir, company, name));
    }
  }
  return files;
}

const catalogue = promisedClauses(readFileSync(promisesFile, "utf8"));
const files = packFiles();

describe("policy packs", () => {
  it("the catalogue names the five packs, and policies/ holds exactly those", () => {
    expect([...catalogue.packs.keys()].sort()).toEqual([
      "partstore",
      "zmailcloud",
      "zones-2016",
      "zones-2019",
      "zzservers",
    ]);
    expect([...files.keys()].sort()).toEqual([...catalogue.packs.keys()].sort());
    expect(catalogue.shared).toEqual(["ALL-01", "ALL-02", "ALL-03", "ALL-04"]);
  });

  for (const [key, file] of files) {
    describe(key, () => {
      let pack: PolicyPack;
      beforeAll(async () => {
        pack = await loadPackFile(file);
      });

      it("loads, validates and compiles", () => {
        expect(pack.company).toBe(path.basename(path.dirname(file)));
        expect(path.basename(file, ".yaml")).toBe(pack.version);
        expect(() => compilePolicy(pack)).not.toThrow();
      });

      it("declares exactly the clauses PROMISES.md lists for it, plus shared ALL-xx ones", () => {
        const ids = pack.clauses.map((c) => c.id);
        const own = ids.filter((id) => !id.startsWith("ALL-"));
        expect(own.sort()).toEqual([...(catalogue.packs.get(key) ?? [])].sort());
        for (const id of ids.filter((i) => i.startsWith("ALL-"))) expect(catalogue.shared).toContain(id);
        expect(new Set(ids).size).toBe(ids.length);
      });

      it("uses every field in one category only and gives every clause its own public text", () => {
        const fields = pack.categories.flatMap((c) => c.fields);
        expect(new Set(fields).size).toBe(fields.length);
        const texts = pack.clauses.map((c) => c.text);
        expect(new Set(texts).size).toBe(texts.length);
      });
    });
  }

  it("the Zones versions form one history, 2016 then 2019", async () => {
    const history = await loadPolicyHistory(path.join(policiesDir, "zones"));
    expect(history.versions.map((v) => v.pack.version)).toEqual(["2016-11-28", "2019-12-31"]);
  });
});
