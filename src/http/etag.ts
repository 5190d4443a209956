import type { FastifyReply, FastifyRequest } from "fastify";
import { PledgeError } from "../errors.ts";

/**
 * ETags of records that carry a `version` integer, and the If-Match check that keeps two
 * concurrent edits from silently overwriting each other. The tag is strong (`"<version>"`);
 * If-Match accepts it bare or quoted, weak or strong, and `*` (any current version).
 */
export function etagOf(version: number): string {
  return `"${version}"`;
}

export function setETag(reply: FastifyReply, version: number): void {
  void reply.header("etag", etagOf(version));
}

/**
 * The version an If-Match header names: a number, `"*"` (null: whatever is current), or a
 * PLEDGE_PRECONDITION_REQUIRED error when the header is missing. A header that names no version
 * this API ever gave out fails with PLEDGE_PRECONDITION_FAILED, as a stale one would.
 */
export function requiredIfMatch(request: FastifyRequest): number | null {
  const header = request.headers["if-match"];
  if (header === undefined || header === "") {
    throw new PledgeError(
      "PLEDGE_PRECONDITION_REQUIRED",
      "send If-Match with the ETag of the version you read",
    );
  }
  const text = (Array.isArray(header) ? header.join(",") : header).trim();
  if (text === "*") return null;
  const first = text.split(",")[0]!.trim();
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(first);
  if (m === null)
    throw new PledgeError("PLEDGE_PRECONDITION_FAILED", "If-Match names no version of this record");
  return Number(m[1]);
}
