import type { FastifyError, FastifyInstance, FastifyRequest } from "fastify";
import { PolicyError } from "../policy/errors.ts";
import { PledgeError } from "../errors.ts";
import { storeUnavailable } from "../store/faults.ts";
import { PROBLEM_CONTENT_TYPE, problem, type Problem } from "./errors.ts";

/**
 * Turns every error, ours or Fastify's, into RFC 9457 problem+json with a stable code. Installed
 * on the root instance so every encapsulated plugin inherits it. Internal errors are logged by
 * name, code and stack frames only: a driver's message can quote the values of a row.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | PledgeError | PolicyError, request, reply) => {
    if (storeUnavailable(error)) {
      // The database is restarting or gone: the request was not carried out and may be retried.
      request.log.warn({ errCode: "code" in error ? error.code : undefined }, "store unavailable");
      const body = problem("PLEDGE_STORE_UNAVAILABLE", "the database cannot be reached; retry shortly", {
        instance: instance(request),
      });
      return reply.code(503).header("retry-after", "5").type(PROBLEM_CONTENT_TYPE).send(body);
    }
    const body = toProblem(error, request);
    if (body.status >= 500) {
      request.log.error(
        { errName: error.name, errCode: "code" in error ? error.code : undefined, frames: frames(error) },
        "request failed",
      );
    }
    return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const body = problem(
      "PLEDGE_NOT_FOUND",
      `no route ${request.method} ${request.routeOptions.url ?? "here"}`,
      {
        instance: instance(request),
      },
    );
    return reply.code(404).type(PROBLEM_CONTENT_TYPE).send(body);
  });
}

function toProblem(error: FastifyError | PledgeError | PolicyError, request: FastifyRequest): Problem {
  const at = { instance: instance(request) };
  if (error instanceof PledgeError) {
    return problem(error.code, error.detail, error.clauses.length ? { ...at, clauses: error.clauses } : at);
  }
  if (error instanceof PolicyError) return problem(error.code, error.message, at);
  if (error.validation) {
    const errors = error.validation.map((v) => ({
      path: `${error.validationContext ?? "request"}${v.instancePath}`,
      message: validationMessage(v.message, v.params),
    }));
    const detail = errors.map((e) => `${e.path} ${e.message}`).join("; ");
    return problem("PLEDGE_VALIDATION_FAILED", detail, { ...at, errors });
  }
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return problem(
        "PLEDGE_BODY_TOO_LARGE",
        `the body is larger than the ${bodyLimit(request)} bytes allowed`,
        at,
      );
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return problem("PLEDGE_MALFORMED_JSON", "the body could not be parsed as JSON", at);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return problem("PLEDGE_UNSUPPORTED_MEDIA_TYPE", "send the body as application/json", at);
  }
  const status = error.statusCode ?? 500;
  if (status === 404) return problem("PLEDGE_NOT_FOUND", "not found", at);
  if (status === 405) return problem("PLEDGE_METHOD_NOT_ALLOWED", "method not allowed", at);
  if (status === 429) return problem("PLEDGE_RATE_LIMITED", "slow down and retry later", at);
  if (status >= 400 && status < 500) return problem("PLEDGE_VALIDATION_FAILED", error.message, at);
  return problem("PLEDGE_INTERNAL", "an internal error occurred; the server log has this instance id", at);
}

function validationMessage(message: string | undefined, params: Record<string, unknown>): string {
  const text = message ?? "is invalid";
  if (typeof params.additionalProperty === "string")
    return `${text} (${JSON.stringify(params.additionalProperty)})`;
  if (Array.isArray(params.allowedValues)) return `${text}: ${params.allowedValues.join(", ")}`;
  return text;
}

function instance(request: FastifyRequest): string {
  return `urn:pledge:request:${request.id}`;
}

function bodyLimit(request: FastifyRequest): number {
  return request.routeOptions.bodyLimit ?? request.server.initialConfig.bodyLimit ?? 0;
}

function frames(error: Error): string[] {
  return (error.stack ?? "").split("\n").filter((line) => line.trimStart().startsWith("at "));
}
