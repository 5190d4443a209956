import type { KeyObject } from "node:crypto";
import path from "node:path";
import pino from "pino";
import { fileURLToPath } from "node:url";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { createAuditWriter, type AuditWriter } from "../../src/audit/writer.ts";
import { loadConfig } from "../../src/config.ts";
import type { Vault } from "../../src/crypto/vault.types.ts";
import { createApp } from "../../src/http/app.ts";
import { createLogger } from "../../src/http/logger.ts";
import type { AgentRequests } from "../../src/modules/drp/drp.port.ts";
import { createKey, createStaff } from "../../src/modules/staff/staff.service.ts";
import { inForce, loadPolicyHistory } from "../../src/policy/history.ts";
import type { PolicyPack } from "../../src/policy/schema.ts";
import type { Store } from "../../src/store/store.ts";
import type { FailureLimit } from "../../src/throttle/failures.ts";
import { freshStore } from "./store.ts";

export const POLICIES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../policies");

export interface TestApp {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly audit: AuditWriter;
  /** A new staff member with this role (a pack staff role, or `admin`) and a key for them. */
  apiKey(role?: string, opts?: { attested?: boolean }): Promise<string>;
  /** The version of the company's policy in force at the app's clock now. */
  pack(): PolicyPack;
  /** Like `apiKey`, also returning the staff member's id. */
  staff(role?: string, opts?: { attested?: boolean }): Promise<{ staffId: string; key: string }>;
  close(): Promise<void>;
}

/**
 * The whole HTTP API over a fresh migrated store, for `app.inject()`. The clock defaults to the
 * real one; pass `clock` to pin the policy version in force.
 */
export async function buildTestApp(
  options: {
    company?: string;
    clock?: () => Date;
    env?: Record<string, string>;
    /** A logger to use instead of a silent one (tests that read what is logged). */
    logger?: FastifyBaseLogger;
    /** The audit signing key's public half, for GET /v1/audit/checkpoint/key. */
    auditPublicKey?: KeyObject;
    /** Failed API keys allowed per source address, instead of the default. */
    apiKeyFailures?: FailureLimit;
    /** Rights requests as DRP agents reach them (with PLEDGE_DRP_BUSINESS_ID in `env`). */
    agentRequests?: AgentRequests;
    /** Waits between attempts to deliver a DRP status callback. */
    drpCallbackDelaysMs?: readonly number[];
    /** Field encryption, for tests that open what was sealed (default: a vault made in memory). */
    vault?: Vault;
    /** The built web applications to serve (test/web/browser.ts builds them). */
    webRoot?: string;
  } = {},
): Promise<TestApp> {
  const company = options.company ?? "partstore";
  const clock = options.clock ?? (() => new Date());
  const config = loadConfig({
    LOG_LEVEL: "silent",
    PLEDGE_POLICY: company,
    PLEDGE_POLICIES_DIR: POLICIES_DIR,
    ...options.env,
  });
  const policies = await loadPolicyHistory(path.join(POLICIES_DIR, company));
  const store = await freshStore();
  const audit = createAuditWriter(store.db);
  let app: FastifyInstance;
  try {
    app = await createApp({
      config,
      store,
      policies,
      audit,
      clock,
      ...(options.logger ? { logger: options.logger } : debugLogger()),
      ...(options.auditPublicKey ? { auditPublicKey: options.auditPublicKey } : {}),
      ...(options.apiKeyFailures ? { apiKeyFailures: options.apiKeyFailures } : {}),
      ...(options.agentRequests ? { agentRequests: options.agentRequests } : {}),
      ...(options.drpCallbackDelaysMs ? { drpCallbackDelaysMs: options.drpCallbackDelaysMs } : {}),
      ...(options.vault ? { vault: options.vault } : {}),
      ...(options.webRoot ? { webRoot: options.webRoot } : {}),
    });
    await app.ready();
  } catch (error) {
    await store.close();
    throw error;
  }

  const staff = async (role = "admin", opts: { attested?: boolean } = {}) => {
    const now = clock();
    const ctx = { actor: "system", now };
    const member = await createStaff(
      store.db,
      inForce(policies, now.toISOString()),
      { displayName: `test ${role}`, role, attested: opts.attested ?? true },
      ctx,
    );
    const { key } = await createKey(store.db, member.id, ctx);
    return { staffId: member.id, key };
  };

  return {
    app,
    store,
    audit,
    pack: () => inForce(policies, clock().toISOString()),
    staff,
    apiKey: async (role, opts) => (await staff(role, opts)).key,
    async close() {
      await app.close();
      await audit.close();
      await store.close();
    },
  };
}

/** PLEDGE_TEST_LOG=error (or another level) writes the app's log to stderr, for debugging a test. */
function debugLogger(): { logger: FastifyBaseLogger } | Record<string, never> {
  const level = process.env.PLEDGE_TEST_LOG;
  if (level === undefined) return {};
  return { logger: createLogger(level as "error", pino.destination(2)) as FastifyBaseLogger };
}
