import type { FastifyRequest } from "fastify";
import { staffActing, type Acting } from "../use/acting.ts";

/** The staff member behind a request's API key, as the kernel's actor (authenticated before). */
export function actingOf(request: FastifyRequest): Acting {
  if (request.caller === null) throw new Error("no authenticated staff caller on this request");
  return staffActing(request.caller);
}
