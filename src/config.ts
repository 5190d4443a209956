import path from "node:path";
import { z } from "zod";
import { API_KEY_PATTERN } from "./modules/staff/staff.ts";

/**
 * Pledge's configuration: read from the environment once at start, validated, frozen. Nothing else
 * reads `process.env`. Every message names the variable and what was expected; values of secret
 * variables are never echoed.
 */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly port: number;
  readonly host: string;
  /** PostgreSQL connection string; null runs the embedded PGlite store under `dataDir`. */
  readonly databaseUrl: string | null;
  /** Whether statements go to PostgreSQL as named prepared statements (src/store/prepared.ts). */
  readonly pgPrepared: boolean;
  readonly dataDir: string;
  /** The company pack id: the folder under `policiesDir`. */
  readonly policy: string;
  readonly policiesDir: string;
  /** The region this deployment stores and processes data in, in lower case (checked against the pack's residency). */
  readonly region: string;
  /** An admin API key (`pk_<prefix>_<secret>`) created on first start when no key exists. */
  readonly bootstrapKey: string | null;
  readonly logLevel: LogLevel;
  readonly bodyLimit: number;
  /** Outbound messages: SMTP, DKIM, the links and addresses put in every marketing email. */
  readonly mail: MailConfig;
  /** Shared secret of the deliverability webhook (HMAC-SHA256 of the body); null: the webhook refuses every call. */
  readonly webhookSecret: string | null;
  /**
   * Which proxies' `X-Forwarded-For` to believe for the client address (rate limits, failure
   * limits): false (none: the socket's peer), a number of hops, or the proxies' addresses/CIDRs.
   */
  readonly trustProxy: false | number | readonly string[];
  /** Bearer token that `GET /metrics` asks of Prometheus; null: the endpoint is not served. */
  readonly metricsToken: string | null;
  /** Where signed audit checkpoints are written, outside the database; null: not written. */
  readonly checkpointDir: string | null;
  /** This business's id in the Data Rights Protocol directory; null: the DRP endpoints are not served. */
  readonly drpBusinessId: string | null;
  /** The hour (0–23, in the pack's time zone) of the daily retention run on `pledge serve`; null: off. */
  readonly retentionHour: number | null;
  /** Page views `POST /v1/analytics/hits` takes from one source a minute; null: no limit. */
  readonly analyticsHitsPerMinute: number | null;
}

export interface MailConfig {
  /** smtp:// or smtps:// URL of the relay; null: email campaigns cannot start (a clear 409). */
  readonly smtpUrl: string | null;
  /** The From address of campaign email. */
  readonly from: string;
  /** The https base URL Pledge is reached at from the public internet (one-click unsubscribe links). */
  readonly publicUrl: string;
  /** The mailbox that takes unsubscribe requests by email (the mailto of List-Unsubscribe). */
  readonly unsubscribeMailto: string;
  /** DKIM signing: all three or none. The key file holds a PEM RSA private key. */
  readonly dkim: { readonly domain: string; readonly selector: string; readonly keyFile: string } | null;
  /** Pooled SMTP connections per Pledge node. */
  readonly smtpPool: number;
  /** Whether this node runs the send workers (pg-boss); nodes that only answer the API may not. */
  readonly sendWorkers: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

const SLUG = /^[a-z][a-z0-9_-]*$/;

interface Variable {
  readonly expected: string;
  readonly secret?: boolean;
  readonly schema: z.ZodType;
}

const integer = (min: number, max: number) =>
  z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(min).max(max));

const VARIABLES = {
  PLEDGE_PORT: { expected: "an integer 0–65535 (0: any free port)", schema: integer(0, 65535) },
  PORT: { expected: "an integer 0–65535 (0: any free port)", schema: integer(0, 65535) },
  PLEDGE_HOST: { expected: "a host name or IP address", schema: z.string().regex(/^[A-Za-z0-9.:[\]-]+$/) },
  DATABASE_URL: {
    expected: "a postgres:// or postgresql:// URL",
    secret: true,
    schema: z.string().regex(/^postgres(ql)?:\/\/\S+$/),
  },
  PLEDGE_PG_PREPARED: { expected: "on or off", schema: z.enum(["on", "off"]) },
  PLEDGE_DATA_DIR: { expected: "a directory path", schema: z.string().min(1) },
  PLEDGE_POLICY: { expected: "a pack id such as partstore", schema: z.string().regex(SLUG) },
  PLEDGE_POLICIES_DIR: { expected: "a directory path", schema: z.string().min(1) },
  // Region ids are compared in lower case, as packs list them: EU and eu are the same region.
  PLEDGE_REGION: {
    expected: "a region id such as us or eu (letters, digits, - and _; any case)",
    schema: z
      .string()
      .transform((s) => s.toLowerCase())
      .pipe(z.string().regex(SLUG)),
  },
  PLEDGE_BOOTSTRAP_KEY: {
    expected:
      "an API key of the form pk_<prefix>_<secret> (prefix: 4–16 lower-case letters or digits; secret: 43 base64url characters)",
    secret: true,
    schema: z.string().regex(API_KEY_PATTERN),
  },
  LOG_LEVEL: { expected: `one of ${LOG_LEVELS.join(", ")}`, schema: z.enum(LOG_LEVELS) },
  PLEDGE_BODY_LIMIT: { expected: "a byte count 1024–16777216", schema: integer(1024, 16 * 1024 * 1024) },
  PLEDGE_SMTP_URL: {
    expected: "an smtp:// or smtps:// URL",
    secret: true,
    schema: z.string().regex(/^smtps?:\/\/\S+$/),
  },
  PLEDGE_MAIL_FROM: { expected: "an email address", schema: z.string().regex(/^[^\s@<>]+@[^\s@<>]+$/) },
  PLEDGE_PUBLIC_URL: { expected: "an http:// or https:// URL", schema: z.string().regex(/^https?:\/\/\S+$/) },
  PLEDGE_UNSUBSCRIBE_MAILTO: {
    expected: "an email address",
    schema: z.string().regex(/^[^\s@<>]+@[^\s@<>]+$/),
  },
  PLEDGE_DKIM_DOMAIN: { expected: "a domain name", schema: z.string().regex(/^[A-Za-z0-9.-]+$/) },
  PLEDGE_DKIM_SELECTOR: { expected: "a DKIM selector", schema: z.string().regex(/^[A-Za-z0-9._-]+$/) },
  PLEDGE_DKIM_KEY_FILE: { expected: "a path to a PEM private key", schema: z.string().min(1) },
  PLEDGE_SMTP_POOL: { expected: "an integer 1–50", schema: integer(1, 50) },
  PLEDGE_SEND_WORKERS: { expected: "on or off", schema: z.enum(["on", "off"]) },
  PLEDGE_CHECKPOINT_DIR: { expected: "a directory path", schema: z.string().min(1) },
  PLEDGE_TRUST_PROXY: {
    expected: "off, a number of proxy hops 1–10, or a comma-separated list of proxy addresses or CIDRs",
    schema: z
      .string()
      .regex(/^(off|\d+|[0-9A-Fa-f.:/]+(\s*,\s*[0-9A-Fa-f.:/]+)*)$/)
      .transform((v) =>
        v === "off" ? false : /^\d+$/.test(v) ? Number(v) : v.split(",").map((p) => p.trim()),
      )
      .refine((v) => typeof v !== "number" || (v >= 1 && v <= 10)),
  },
  PLEDGE_METRICS_TOKEN: {
    expected: "a token of 32–1024 characters without spaces",
    secret: true,
    schema: z.string().regex(/^\S{32,1024}$/),
  },
  PLEDGE_RETENTION_HOUR: {
    expected: "off, or an hour 0–23",
    schema: z
      .string()
      .regex(/^(off|[0-9]|1[0-9]|2[0-3])$/)
      .transform((v) => (v === "off" ? null : Number(v))),
  },
  PLEDGE_ANALYTICS_HITS_PER_MINUTE: {
    expected: "off, or a number of page views 1–1000000",
    schema: z
      .string()
      .regex(/^(off|[1-9][0-9]{0,6})$/)
      .transform((v) => (v === "off" ? null : Number(v)))
      .refine((v) => v === null || v <= 1_000_000),
  },
  PLEDGE_DRP_BUSINESS_ID: {
    expected: "a business id of the DRP service directory (letters, digits, . _ - ; up to 100)",
    schema: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/),
  },
  PLEDGE_WEBHOOK_SECRET: {
    expected: "a secret of at least 32 characters",
    secret: true,
    schema: z.string().min(32).max(1024),
  },
} satisfies Record<string, Variable>;

type Name = keyof typeof VARIABLES;

/** Pure: the same environment always gives the same config or the same ConfigError. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const problems: string[] = [];
  const read = <T>(name: Name, fallback: T): T => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const variable: Variable = VARIABLES[name];
    const parsed = variable.schema.safeParse(raw.trim());
    if (parsed.success) return parsed.data as T;
    const got = variable.secret ? `a value of ${raw.length} characters` : JSON.stringify(raw);
    problems.push(`${name}: expected ${variable.expected}, got ${got}`);
    return fallback;
  };

  const config: Config = {
    // PORT is the platform convention; PLEDGE_PORT wins when both are set.
    port: env.PLEDGE_PORT ? read("PLEDGE_PORT", 4000) : read("PORT", 4000),
    host: read("PLEDGE_HOST", "localhost"),
    databaseUrl: read<string | null>("DATABASE_URL", null),
    pgPrepared: read("PLEDGE_PG_PREPARED", "on") === "on",
    dataDir: path.resolve(read("PLEDGE_DATA_DIR", "./.pledge")),
    policy: read("PLEDGE_POLICY", "partstore"),
    policiesDir: path.resolve(read("PLEDGE_POLICIES_DIR", "./policies")),
    region: read("PLEDGE_REGION", "us"),
    bootstrapKey: read<string | null>("PLEDGE_BOOTSTRAP_KEY", null),
    logLevel: read<LogLevel>("LOG_LEVEL", "info"),
    bodyLimit: read("PLEDGE_BODY_LIMIT", 64 * 1024),
    mail: readMail(read),
    webhookSecret: read<string | null>("PLEDGE_WEBHOOK_SECRET", null),
    checkpointDir: nullablePath(read<string | null>("PLEDGE_CHECKPOINT_DIR", null)),
    trustProxy: read<false | number | readonly string[]>("PLEDGE_TRUST_PROXY", false),
    metricsToken: read<string | null>("PLEDGE_METRICS_TOKEN", null),
    drpBusinessId: read<string | null>("PLEDGE_DRP_BUSINESS_ID", null),
    retentionHour: read<number | null>("PLEDGE_RETENTION_HOUR", 3),
    analyticsHitsPerMinute: read<number | null>("PLEDGE_ANALYTICS_HITS_PER_MINUTE", 600),
  };
  const dkimSet = ["PLEDGE_DKIM_DOMAIN", "PLEDGE_DKIM_SELECTOR", "PLEDGE_DKIM_KEY_FILE"].filter(
    (n) => env[n],
  );
  if (dkimSet.length > 0 && dkimSet.length < 3) {
    problems.push(
      "PLEDGE_DKIM_DOMAIN, PLEDGE_DKIM_SELECTOR and PLEDGE_DKIM_KEY_FILE: expected all three or none",
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

function nullablePath(value: string | null): string | null {
  return value === null ? null : path.resolve(value);
}

function readMail(read: <T>(name: Name, fallback: T) => T): MailConfig {
  const domain = read<string | null>("PLEDGE_DKIM_DOMAIN", null);
  const selector = read<string | null>("PLEDGE_DKIM_SELECTOR", null);
  const keyFile = read<string | null>("PLEDGE_DKIM_KEY_FILE", null);
  return Object.freeze({
    smtpUrl: read<string | null>("PLEDGE_SMTP_URL", null),
    from: read("PLEDGE_MAIL_FROM", "no-reply@localhost"),
    publicUrl: read("PLEDGE_PUBLIC_URL", "http://localhost:4000").replace(/\/+$/, ""),
    unsubscribeMailto: read("PLEDGE_UNSUBSCRIBE_MAILTO", "unsubscribe@localhost"),
    dkim: domain && selector && keyFile ? { domain, selector, keyFile: path.resolve(keyFile) } : null,
    smtpPool: read("PLEDGE_SMTP_POOL", 5),
    sendWorkers: read("PLEDGE_SEND_WORKERS", "on") === "on",
  });
}
