import type { FastifyInstance } from "fastify";
import { findCardNumberInJson } from "../crypto/cards.ts";
import { PledgeError } from "../errors.ts";

/**
 * Pledge never accepts a card number (Z16-01, PS-02). Installed on the root instance, before any
 * route, this preValidation hook looks through every parsed JSON body: a string (or key, or
 * integer) holding a card number refuses the whole request with 400 PLEDGE_CARD_NUMBER_REFUSED,
 * naming the JSON Pointer and never the value. It runs before validation, so the body never
 * reaches a handler, a store or a validation message; request logs carry no bodies (logger.ts).
 */
export function installCardGuard(app: FastifyInstance): void {
  app.addHook("preValidation", async (request) => {
    const body = request.body;
    if (body === undefined || body === null || typeof body !== "object") {
      if (typeof body !== "string") return;
    }
    const path = findCardNumberInJson(body);
    if (path !== null) {
      // Drop the parsed body so nothing later (an error handler, a hook) can see the value.
      request.body = undefined;
      throw new PledgeError(
        "PLEDGE_CARD_NUMBER_REFUSED",
        `the value at ${path === "" ? "the body" : path} contains a card number; send the payment provider's token instead`,
      );
    }
  });
}
