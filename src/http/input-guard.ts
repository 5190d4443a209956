import type { FastifyInstance, FastifyRequest } from "fastify";
import { findCardNumberInJson } from "../crypto/cards.ts";
import { findInJson, type JsonFinding } from "../crypto/json-walk.ts";
import { PledgeError } from "../errors.ts";

/** Deeper than any body Pledge takes (a decision's facts nest five levels). */
export const MAX_BODY_DEPTH = 32;

/** U+0000, which no PostgreSQL text holds, or half a surrogate pair, which is no character at all. */
const UNSTORABLE = /[\u0000\p{Cs}]/u;
const unstorable = (text: string): boolean => UNSTORABLE.test(text);
const UNSTORABLE_TEXT = "contains U+0000 (NUL) or half a surrogate pair, which Pledge does not store";

/**
 * What every request passes before validation, on every route, authenticated or not. Installed on
 * the root instance, this preValidation hook walks the parsed body (iteratively, so no
 * nesting overflows the stack), and the query and path parameters:
 * - a body nested deeper than MAX_BODY_DEPTH: 400 PLEDGE_VALIDATION_FAILED;
 * - U+0000 (NUL) or a lone surrogate anywhere: 400 PLEDGE_VALIDATION_FAILED (no PostgreSQL text
 *   holds the one; the other is no character, and would be stored changed);
 * - a card number in a string, key or integer (Z16-01, PS-02): 400 PLEDGE_CARD_NUMBER_REFUSED.
 * Each refusal names where (a JSON Pointer; for a key, the object holding it) and never the value.
 * The body is dropped first, so nothing later (an error handler, a hook) can see it; request logs
 * carry no bodies (logger.ts).
 */
export function installInputGuard(app: FastifyInstance): void {
  // A callback hook, not an async one: it does no I/O, and runs on every request.
  app.addHook("preValidation", (request, _reply, done) => done(inputRefusal(request) ?? undefined));
}

/** Why `request` is refused before validation, or null; a refused body is dropped. */
function inputRefusal(request: FastifyRequest): PledgeError | null {
  for (const [part, values] of [
    ["query", request.query],
    ["path", request.params],
  ] as const) {
    const found = findInJson(values, unstorable);
    if (found !== null) {
      return new PledgeError("PLEDGE_VALIDATION_FAILED", `the ${part} ${UNSTORABLE_TEXT}`);
    }
  }
  const body = request.body;
  if (body === undefined || body === null) return null;
  const nul = findInJson(body, unstorable, MAX_BODY_DEPTH);
  const refusal =
    nul?.kind === "too_deep"
      ? new PledgeError(
          "PLEDGE_VALIDATION_FAILED",
          `the body nests deeper than ${MAX_BODY_DEPTH} levels of objects and arrays`,
        )
      : (refusalOf(nul, UNSTORABLE_TEXT) ??
        refusalOf(
          findCardNumberInJson(body),
          "contains a card number; send the payment provider's token instead",
          "PLEDGE_CARD_NUMBER_REFUSED",
        ));
  if (refusal !== null) request.body = undefined;
  return refusal;
}

function refusalOf(
  found: JsonFinding | null,
  what: string,
  code: "PLEDGE_VALIDATION_FAILED" | "PLEDGE_CARD_NUMBER_REFUSED" = "PLEDGE_VALIDATION_FAILED",
): PledgeError | null {
  if (found === null || found.kind === "too_deep") return null;
  const where = found.path === "" ? "the body" : found.path;
  const subject = found.kind === "key" ? `a property name in ${where}` : `the value at ${where}`;
  return new PledgeError(code, `${subject} ${what}`);
}
