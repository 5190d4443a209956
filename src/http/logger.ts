import type { FastifyInstance } from "fastify";
import pino, { type Logger } from "pino";
import type { LogLevel } from "../config.ts";

/**
 * Pledge's logger. Requests are logged by method, path (never the query string), id and status;
 * headers and bodies never, and the credential headers are redacted should anything log them.
 *
 * A path is logged as its route's pattern with only the parameters that are ids (a UUID, or a
 * value of the parameter's closed list) filled in; anything else a caller put in a path (an email
 * address, a name, the unsubscribe token of `/u/:token`) is logged as `[redacted]`. A path no route
 * matches keeps only UUIDs and the words routes are made of (see installPathVocabulary).
 */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: {
      paths: [
        "req.headers.authorization",
        'req.headers["x-api-key"]',
        "req.headers.cookie",
        'res.headers["set-cookie"]',
        "req.body",
        "body",
      ],
      censor: "[redacted]",
    },
    serializers: {
      req: (req: LoggedRequest) => ({ id: req.id, method: req.method, path: loggedPath(req) }),
      res: (res: { statusCode?: number }) => ({ status: res.statusCode }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** What the request serializer reads of a Fastify request (or of a plain object logged as `req`). */
export interface LoggedRequest {
  readonly id?: string;
  readonly method?: string;
  readonly url?: string;
  readonly params?: unknown;
  readonly routeOptions?: { readonly url?: string; readonly schema?: { readonly params?: unknown } };
  readonly server?: { readonly pledgeRouteWords?: ReadonlySet<string> };
}

const REDACTED = "[redacted]";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The request's path as logged: the route's pattern with its id parameters, nothing else. */
export function loggedPath(req: LoggedRequest): string | undefined {
  const pattern = req.routeOptions?.url;
  if (pattern !== undefined) {
    const params = (req.params ?? {}) as Record<string, unknown>;
    const schema = req.routeOptions?.schema?.params;
    return pattern
      .split("/")
      .map((segment) => {
        if (segment === "*") return REDACTED;
        if (!segment.startsWith(":")) return segment;
        const name = segment.slice(1);
        return isLoggableParam(params[name], enumOf(schema, name)) ? String(params[name]) : REDACTED;
      })
      .join("/");
  }
  const path = req.url?.split("?")[0];
  if (path === undefined) return undefined;
  const words = req.server?.pledgeRouteWords ?? new Set<string>();
  return path
    .split("/")
    .map((segment) => (segment === "" || UUID.test(segment) || words.has(segment) ? segment : REDACTED))
    .join("/");
}

function isLoggableParam(value: unknown, allowed: readonly unknown[] | undefined): boolean {
  if (typeof value !== "string") return false;
  return UUID.test(value) || (allowed?.includes(value) ?? false);
}

function enumOf(schema: unknown, name: string): readonly unknown[] | undefined {
  const property = (schema as { properties?: Record<string, { enum?: unknown }> } | undefined)?.properties?.[
    name
  ];
  return Array.isArray(property?.enum) ? property.enum : undefined;
}

/**
 * Gathers the literal segments of every route the app registers (`v1`, `subjects`, `export` …),
 * so that a path no route matches is logged with those words and nothing a caller invented.
 */
export function installPathVocabulary(app: FastifyInstance): void {
  const words = new Set<string>();
  app.decorate("pledgeRouteWords", words);
  app.addHook("onRoute", (route) => {
    for (const segment of route.url.split("/")) {
      if (segment !== "" && !segment.startsWith(":") && !segment.includes("*")) words.add(segment);
    }
  });
}
