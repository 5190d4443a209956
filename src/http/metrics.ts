import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { auditLag } from "../audit/lag.ts";
import { PledgeError } from "../errors.ts";
import type { Action, Outcome } from "../gate/types.ts";
import { pendingSends } from "../modules/campaigns/campaigns.repository.ts";
import { openRequests } from "../modules/requests/requests.queue.ts";
import type { Database } from "../store/database.ts";

/**
 * Prometheus metrics of one app, in a registry of its own (never prom-client's global one), so
 * apps in one process do not share counts. Labels are closed sets: a method, a route PATTERN
 * (`/v1/subjects/:id`, never the path asked for, which can carry ids or addresses), a status
 * class, a gate outcome, an action, a message state. No label ever holds a value from a request.
 *
 * - `pledge_http_requests_total{method,route,status_class}` and
 *   `pledge_http_request_duration_seconds{method,route}`: every answer, counted when sent;
 * - `pledge_gate_decisions_total{outcome,action}`: every audited decision of the gate, counted
 *   where it is made (the use kernel, `POST /v1/decisions`) through `UseDeps.onDecision`;
 * - `pledge_audit_unsigned_rows`, `pledge_audit_unsigned_age_seconds`: how far the audit log
 *   runs ahead of its last signed checkpoint, read at each scrape;
 * - `pledge_send_queue_depth{state}`: campaign messages queued or being sent, read at each scrape;
 * - `pledge_requests_open{kind,overdue}`: open rights requests, and how many are past due, read at
 *   each scrape;
 * - prom-client's default process and Node.js metrics (`process_*`, `nodejs_*`).
 */
export interface AppMetrics {
  readonly registry: Registry;
  /** Counts one decision of the gate. */
  decided(outcome: Outcome, action: Action): void;
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

export function createMetrics(opts: {
  readonly db: Kysely<Database>;
  readonly clock: () => Date;
  readonly log: FastifyBaseLogger;
}): AppMetrics & { observe(request: FastifyRequest, statusCode: number, ms: number): void } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "pledge_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status class",
    labelNames: ["method", "route", "status_class"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "pledge_http_request_duration_seconds",
    help: "Time from receiving a request to sending its answer, by method and route pattern",
    labelNames: ["method", "route"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const decisions = new Counter({
    name: "pledge_gate_decisions_total",
    help: "Audited decisions of the gate, by outcome (allowed, refused, partial) and action",
    labelNames: ["outcome", "action"] as const,
    registers: [registry],
  });
  // Read from the store at each scrape; a store that does not answer leaves the gauges empty.
  const unsafe = async (what: string, read: () => Promise<void>) => {
    try {
      await read();
    } catch (error) {
      opts.log.warn({ errName: (error as Error).name, metric: what }, "metric not read");
    }
  };
  // Each gauge reads for itself: prom-client collects them one after the other, in order.
  new Gauge({
    name: "pledge_audit_unsigned_rows",
    help: "Audit rows appended after the last signed checkpoint",
    registers: [registry],
    async collect() {
      this.reset();
      await unsafe("audit lag", async () => this.set((await auditLag(opts.db, opts.clock())).unsignedRows));
    },
  });
  new Gauge({
    name: "pledge_audit_unsigned_age_seconds",
    help: "Age of the oldest audit row not covered by a signed checkpoint (0: all are)",
    registers: [registry],
    async collect() {
      this.reset();
      await unsafe("audit lag", async () =>
        this.set((await auditLag(opts.db, opts.clock())).unsignedAgeSeconds),
      );
    },
  });
  new Gauge({
    name: "pledge_send_queue_depth",
    help: "Campaign messages waiting to be sent (queued) or claimed by a send worker (sending)",
    labelNames: ["state"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      await unsafe("send queue", async () => {
        const depth = await pendingSends(opts.db);
        this.set({ state: "queued" }, depth.queued);
        this.set({ state: "sending" }, depth.sending);
      });
    },
  });
  new Gauge({
    name: "pledge_requests_open",
    help: "Open rights requests, by kind; overdue=true counts those past their due date",
    labelNames: ["kind", "overdue"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      await unsafe("open requests", async () => {
        for (const row of await openRequests(opts.db, opts.clock())) {
          this.set({ kind: row.kind, overdue: String(row.overdue) }, row.n);
        }
      });
    },
  });

  return {
    registry,
    decided(outcome, action) {
      decisions.inc({ outcome: outcomeLabel(outcome), action });
    },
    observe(request, statusCode, ms) {
      const method = METHODS.has(request.method) ? request.method : "OTHER";
      const route = request.routeOptions.url ?? "unmatched";
      requests.inc({ method, route, status_class: `${Math.floor(statusCode / 100)}xx` });
      duration.observe({ method, route }, ms / 1000);
    },
  };
}

function outcomeLabel(outcome: Outcome): "allowed" | "refused" | "partial" {
  switch (outcome) {
    case "allow":
      return "allowed";
    case "deny":
      return "refused";
    case "partial":
      return "partial";
    default: {
      const never: never = outcome;
      throw new Error(`unknown outcome ${String(never)}`);
    }
  }
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Counts every answer of `app` and of the plugins it registers afterwards. */
export function countAnswers(app: FastifyInstance, metrics: Metrics): void {
  app.addHook("onResponse", (request, reply, done) => {
    metrics.observe(request, reply.statusCode, reply.elapsedTime);
    done();
  });
}

/**
 * Serves `GET /metrics` when `token` is set (PLEDGE_METRICS_TOKEN), only to
 * `Authorization: Bearer <token>`, compared in constant time. Without a token the route does not
 * exist (404): an unconfigured deployment shows nothing.
 */
export function metricsRoute(app: FastifyInstance, metrics: Metrics, token: string | null): void {
  if (token === null) return;
  const expected = digest(token);
  app.get(
    "/metrics",
    {
      // A scraper holding the metrics token: no staff key, no session, no personal data.
      config: { use: { callers: { public: true }, personal: false } },
      schema: { hide: true },
    },
    async (request, reply) => {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
      if (match?.[1] === undefined || !timingSafeEqual(digest(match[1]), expected)) {
        throw new PledgeError(
          "PLEDGE_METRICS_UNAUTHORIZED",
          "send the metrics token as Authorization: Bearer <token>",
        );
      }
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    },
  );
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
