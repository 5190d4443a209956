/**
 * The one way the web pages talk to Pledge: `/v1` on the same origin, JSON in and out, errors as
 * the API's problem details (RFC 9457). A signed-in customer is known by the HttpOnly session
 * cookie, which the browser sends by itself; state-changing requests add the session's CSRF token
 * (src/http/csrf.ts), kept in memory only and fetched again from GET /v1/account/csrf on a reload.
 */
export interface Problem {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
  readonly clauses?: readonly string[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
  }
}

export interface Answer<T> {
  readonly status: number;
  readonly data: T;
  readonly etag: string | null;
}

let csrfToken: string | null = null;
const sessionEnded = new Set<() => void>();

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the API says the session is gone (expired or signed out elsewhere). */
export function onSessionEnded(listener: () => void): () => void {
  sessionEnded.add(listener);
  return () => sessionEnded.delete(listener);
}

/**
 * `body` is sent as JSON; `file` is sent as it is, with its own media type (a CSV or NDJSON import),
 * for the few routes that take a file rather than JSON.
 */
export async function api<T>(
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  path: string,
  options: { body?: unknown; file?: { type: string; text: string }; ifMatch?: string } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { accept: "application/json" };
  let body: string | undefined;
  if (options.file !== undefined) {
    headers["content-type"] = options.file.type;
    body = options.file.text;
  } else if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  if (method !== "GET" && csrfToken !== null) headers["x-csrf-token"] = csrfToken;
  if (options.ifMatch !== undefined) headers["if-match"] = options.ifMatch;
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  const data: unknown = text === "" ? null : JSON.parse(text);
  if (!response.ok) {
    const problem = toProblem(response.status, data);
    // A session this page held has ended (a customer's, or the console's, whose staff routes
    // then ask for credentials): pages offer to sign in again where they are.
    const ended = problem.code === "PLEDGE_SESSION_REQUIRED" || problem.code === "PLEDGE_AUTH_MISSING";
    if (ended && csrfToken !== null) for (const listener of sessionEnded) listener();
    throw new ApiError(problem);
  }
  return { status: response.status, data: data as T, etag: response.headers.get("etag") };
}

function toProblem(status: number, data: unknown): Problem {
  if (typeof data === "object" && data !== null && "code" in data) return data as Problem;
  return {
    status,
    code: "PLEDGE_INTERNAL",
    title: "Something went wrong",
    detail: `the server answered ${status}`,
  };
}
