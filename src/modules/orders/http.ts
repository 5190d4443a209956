import type { FastifyRequest } from "fastify";
import type { Authenticator } from "../../http/auth.ts";
import type { Caller } from "../staff/staff.ts";
import type { RecordsDeps } from "./gated-use.ts";

/** What the record routes are registered with. */
export interface RecordRoutesOptions extends RecordsDeps {
  readonly auth: Authenticator;
}

export const subjectParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", format: "uuid" } },
} as const;

export const errorResponses = {
  400: { $ref: "Problem#" },
  401: { $ref: "Problem#" },
  403: { $ref: "Problem#" },
  404: { $ref: "Problem#" },
} as const;

export const callerOf = (request: FastifyRequest): Caller => request.caller as Caller;
