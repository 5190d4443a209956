import { readdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { formatPath, PolicyError, type PolicyIssue } from "./errors.ts";
import { loadPackSource, type PackSource } from "./load.ts";
import type { PolicyPack } from "./schema.ts";

/**
 * All versions of one company's policy. A version is in force from its `effective_from` until
 * the next version's (PS-10, Z19-08). A date without a time (`2019-12-31`) means midnight UTC of
 * that day; an instant with an offset is taken as written.
 */

export interface PolicyVersion {
  readonly pack: PolicyPack;
  readonly file: string;
  /** `effective_from` in milliseconds since the epoch. */
  readonly from: number;
}

export interface PolicyHistory {
  readonly company: string;
  /** Oldest first; no two share an `effective_from`. */
  readonly versions: readonly PolicyVersion[];
}

/** Loads every `*.yaml` of one company's folder (e.g. policies/zones). */
export async function loadPolicyHistory(dir: string): Promise<PolicyHistory> {
  const names = (await readdir(dir)).filter((n) => n.endsWith(".yaml")).sort();
  if (names.length === 0) {
    throw new PolicyError("PLEDGE_POLICY_HISTORY_INVALID", [], `${dir}: no policy versions (*.yaml) found`);
  }
  const sources: PackSource[] = [];
  for (const name of names) sources.push(await loadPackSource(join(dir, name)));
  return buildHistory(sources);
}

/** Checks that the versions belong together and orders them by `effective_from`. */
export function buildHistory(sources: readonly PackSource[]): PolicyHistory {
  const first = sources[0];
  if (first === undefined) throw new PolicyError("PLEDGE_POLICY_HISTORY_INVALID", [], "no policy versions");
  const issues: PolicyIssue[] = [];
  const at = (s: PackSource, key: string, message: string): PolicyIssue => {
    const { line, column } = s.locate([key]);
    return { file: s.file, line, column, path: formatPath([key]), message };
  };
  const versions = sources.map((s) => ({ pack: s.pack, file: s.file, from: instant(s.pack.effective_from) }));
  versions.sort((a, b) => a.from - b.from);
  const byFrom = new Map<number, PackSource>();
  for (const s of sources) {
    if (s.pack.company !== first.pack.company) {
      issues.push(
        at(s, "company", `company "${s.pack.company}" differs from "${first.pack.company}" in ${first.file}`),
      );
    }
    const from = instant(s.pack.effective_from);
    const twin = byFrom.get(from);
    if (twin !== undefined) {
      issues.push(at(s, "effective_from", `another version (${twin.file}) takes effect at the same instant`));
    }
    byFrom.set(from, s);
  }
  if (issues.length > 0) throw new PolicyError("PLEDGE_POLICY_HISTORY_INVALID", issues);
  return { company: first.pack.company, versions };
}

/** The version in force at `at` (ISO 8601): the latest whose `effective_from` is not after it. */
export function inForce(history: PolicyHistory, at: string): PolicyPack {
  const t = instant(at);
  if (Number.isNaN(t)) {
    throw new PolicyError("PLEDGE_NO_POLICY_IN_FORCE", [], `"${at}" is not an ISO 8601 instant`);
  }
  for (let i = history.versions.length - 1; i >= 0; i--) {
    const v = history.versions[i];
    if (v !== undefined && v.from <= t) return v.pack;
  }
  const firstFrom = history.versions[0]?.pack.effective_from ?? "never";
  throw new PolicyError(
    "PLEDGE_NO_POLICY_IN_FORCE",
    [],
    `no ${history.company} policy is in force at ${at}: the first version takes effect ${firstFrom}`,
  );
}

/** Every company under `root` (policies/): folder name → history. A folder must hold its own company. */
export async function loadAllPolicies(root: string): Promise<Map<string, PolicyHistory>> {
  const entries = await readdir(root, { withFileTypes: true });
  const out = new Map<string, PolicyHistory>();
  for (const e of entries.filter((d) => d.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const history = await loadPolicyHistory(join(root, e.name));
    if (history.company !== basename(e.name)) {
      const v = history.versions[0];
      throw new PolicyError(
        "PLEDGE_POLICY_HISTORY_INVALID",
        [],
        `${v?.file ?? e.name}: company "${history.company}" lives in folder "${e.name}"; the folder must be named after the company`,
      );
    }
    out.set(history.company, history);
  }
  return out;
}

/** Milliseconds since the epoch; a bare date is midnight UTC. NaN when unreadable. */
export function instant(text: string): number {
  return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
}
