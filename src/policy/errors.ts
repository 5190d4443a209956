/**
 * Errors of the policy toolchain. Every problem found in a pack is a `PolicyIssue` that points to
 * the file, line and column of the offending YAML node, so `pledge policy check` can print
 * `file:line:column: message` lines an editor understands. Issues never contain personal data:
 * packs hold none.
 */

export const POLICY_ERROR_CODES = [
  /** The pack is malformed YAML, breaks the schema, or fails a semantic rule of validate.ts. */
  "PLEDGE_POLICY_INVALID",
  /** The versions of one company disagree (mixed companies, two versions from the same instant, none). */
  "PLEDGE_POLICY_HISTORY_INVALID",
  /** The instant asked for is before the first version of the company's policy. */
  "PLEDGE_NO_POLICY_IN_FORCE",
] as const;
export type PolicyErrorCode = (typeof POLICY_ERROR_CODES)[number];

export interface PolicyIssue {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** Where in the pack, e.g. `purposes[2].categories[0]`; empty for the document itself. */
  readonly path: string;
  /** What is wrong and what was expected. */
  readonly message: string;
}

export class PolicyError extends Error {
  readonly code: PolicyErrorCode;
  readonly issues: readonly PolicyIssue[];

  constructor(code: PolicyErrorCode, issues: readonly PolicyIssue[], summary?: string) {
    super(summary ?? issues.map(formatIssue).join("\n"));
    this.name = "PolicyError";
    this.code = code;
    this.issues = issues;
  }
}

/** `file:line:column: path: message`, the form compilers and editors use. */
export function formatIssue(issue: PolicyIssue): string {
  const where = issue.path === "" ? "" : `${issue.path}: `;
  return `${issue.file}:${issue.line}:${issue.column}: ${where}${issue.message}`;
}

export type PathSegment = string | number;

/** `["purposes", 2, "categories", 0]` → `purposes[2].categories[0]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? seg : `.${seg}`;
  }
  return out;
}
