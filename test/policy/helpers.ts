import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PolicyError, type PolicyIssue } from "../../src/policy/errors.ts";
import { parsePack } from "../../src/policy/load.ts";
import type { PolicyPack } from "../../src/policy/schema.ts";

export const MINIMAL_PATH = fileURLToPath(new URL("./fixtures/minimal.yaml", import.meta.url));
export const MINIMAL = readFileSync(MINIMAL_PATH, "utf8");

/** The minimal fixture with one exact piece of text replaced (fails loudly if it is not there). */
export function variant(from: string, to: string, base = MINIMAL): string {
  if (!base.includes(from)) throw new Error(`fixture has no ${JSON.stringify(from)}`);
  return base.replace(from, to);
}

export function minimalPack(): PolicyPack {
  return parsePack(MINIMAL, "minimal.yaml");
}

/** The issues a text raises; fails the test when it loads. */
export function issuesOf(text: string, file = "pack.yaml"): readonly PolicyIssue[] {
  try {
    parsePack(text, file);
  } catch (e) {
    if (e instanceof PolicyError) return e.issues;
    throw e;
  }
  throw new Error("the pack loaded without errors");
}

/** Line (1-based) of the first line containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const i = text.split("\n").findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`no line contains ${needle}`);
  return i + 1;
}
