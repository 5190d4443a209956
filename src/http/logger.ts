import pino, { type Logger } from "pino";
import type { LogLevel } from "../config.ts";

/**
 * Pledge's logger. Requests are logged by method, path (never the query string), id and status;
 * headers and bodies never, and the credential headers are redacted should anything log them.
 * Paths that carry a capability (the unsubscribe token of `/u/:token`) are logged without it.
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
      req: (req: { id?: string; method?: string; url?: string }) => ({
        id: req.id,
        method: req.method,
        path: loggedPath(req.url),
      }),
      res: (res: { statusCode?: number }) => ({ status: res.statusCode }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** The request path as logged: no query string, and no token in `/u/<token>` paths. */
export function loggedPath(url: string | undefined): string | undefined {
  const path = url?.split("?")[0];
  return path?.replace(/^\/u\/[^/]+/, "/u/[token]");
}
