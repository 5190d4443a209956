import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { formatPath, PolicyError, type PathSegment, type PolicyIssue } from "./errors.ts";
import { locator, type Locate } from "./positions.ts";
import { packSchema, type PolicyPack } from "./schema.ts";
import { validatePack } from "./validate.ts";

/**
 * Reads a policy pack: YAML (duplicate keys refused) → schema (zod) → semantic rules
 * (validate.ts). Every problem found becomes a `PolicyIssue` with the file, line and column of the
 * node concerned; all of them are reported together in one `PolicyError`.
 */

export interface PackSource {
  readonly pack: PolicyPack;
  readonly file: string;
  /** Position of a path in the source, for later checks (history) that want to point into it. */
  readonly locate: Locate;
}

export async function loadPackFile(path: string): Promise<PolicyPack> {
  return (await loadPackSource(path)).pack;
}

export async function loadPackSource(path: string): Promise<PackSource> {
  const text = await readFile(path, "utf8");
  return parsePackSource(text, path);
}

/** Parses pack text; `file` is used only to name the source in issues. */
export function parsePack(text: string, file: string): PolicyPack {
  return parsePackSource(text, file).pack;
}

export function parsePackSource(text: string, file: string): PackSource {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e): PolicyIssue => {
      const { line, col } = counter.linePos(e.pos[0]);
      return { file, line, column: col, path: "", message: yamlMessage(e.code, e.message) };
    });
    throw new PolicyError("PLEDGE_POLICY_INVALID", issues);
  }
  const locate = locator(doc, counter);
  const issue = (path: readonly PathSegment[], message: string, target?: "key"): PolicyIssue => {
    const { line, column } = locate(path, target);
    return { file, line, column, path: formatPath(path), message };
  };

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // yaml refuses a document whose aliases expand past the limit (an "alias bomb").
    if (!(error instanceof ReferenceError)) throw error;
    throw new PolicyError("PLEDGE_POLICY_INVALID", [
      {
        file,
        line: 1,
        column: 1,
        path: "",
        message: "the YAML expands too many aliases (at most 100 are allowed)",
      },
    ]);
  }
  const parsed = packSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((zi) => schemaIssues(zi, raw, issue));
    throw new PolicyError("PLEDGE_POLICY_INVALID", sortIssues(issues));
  }
  const semantic = validatePack(parsed.data).map((v) => issue(v.path, v.message));
  if (semantic.length > 0) throw new PolicyError("PLEDGE_POLICY_INVALID", sortIssues(semantic));
  return { pack: parsed.data, file, locate };
}

type Issue = (path: readonly PathSegment[], message: string, target?: "key") => PolicyIssue;

function schemaIssues(zi: z.core.$ZodIssue, raw: unknown, issue: Issue): PolicyIssue[] {
  const path = zi.path.filter((p): p is PathSegment => typeof p !== "symbol");
  if (zi.code === "unrecognized_keys") {
    return zi.keys.map((k) => issue([...path, k], `unknown key "${k}"; ${allowedKeys(path)}`, "key"));
  }
  if (zi.code === "invalid_type" && valueAt(raw, path) === undefined) {
    const key = path[path.length - 1];
    return [issue(path, `missing required key "${String(key)}" (expected ${zi.expected})`)];
  }
  return [issue(path, zi.message)];
}

/** The keys the schema accepts at a path, read from the schema itself so the message never drifts. */
function allowedKeys(path: readonly PathSegment[]): string {
  let schema: z.core.$ZodType | undefined = packSchema;
  for (const seg of path) schema = schema === undefined ? undefined : childSchema(schema, seg);
  while (schema !== undefined && "innerType" in schema._zod.def) {
    schema = (schema._zod.def as { innerType: z.core.$ZodType }).innerType;
  }
  const def = schema?._zod.def;
  if (def?.type !== "object") return "not allowed here";
  return `expected one of: ${Object.keys((def as z.core.$ZodObjectDef).shape).join(", ")}`;
}

function childSchema(schema: z.core.$ZodType, seg: PathSegment): z.core.$ZodType | undefined {
  let s = schema;
  while ("innerType" in s._zod.def) s = (s._zod.def as { innerType: z.core.$ZodType }).innerType;
  const def = s._zod.def;
  if (def.type === "array" && typeof seg === "number") return (def as z.core.$ZodArrayDef).element;
  if (def.type === "object" && typeof seg === "string") return (def as z.core.$ZodObjectDef).shape[seg];
  return undefined;
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function yamlMessage(code: string, message: string): string {
  const first = message.split("\n")[0] ?? message;
  const text = first.replace(/ at line \d+, column \d+:?$/, "");
  return `malformed YAML: ${text} (${code})`;
}

function sortIssues(issues: PolicyIssue[]): PolicyIssue[] {
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}
