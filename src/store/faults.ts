/**
 * Whether an error means the database cannot be reached right now, as opposed to a query that is
 * wrong: the server refused or dropped the connection, is shutting down or starting up
 * (57P01–57P03), has too many connections (53300), or no connection came within the pool's
 * timeout. Such a request is answered 503 and can be retried as it is; nothing it asked was done
 * unless it was acknowledged.
 */
export function storeUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    if (NETWORK_CODES.has(code) || SERVER_CODES.has(code) || code.startsWith("08")) return true;
  }
  if (CONNECTION_MESSAGES.some((m) => error.message.startsWith(m))) return true;
  if (error instanceof AggregateError) return error.errors.some(storeUnavailable);
  return false;
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections. */
const SERVER_CODES = new Set(["57P01", "57P02", "57P03", "53300"]);

/** What `pg` says, without a code, when a connection ends or never comes. */
const CONNECTION_MESSAGES = [
  "Connection terminated",
  "timeout exceeded when trying to connect",
  "Client has encountered a connection error and is not queryable",
  "Client was closed and is not queryable",
];
