import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { KeyObject } from "node:crypto";
import { checkpointOrigin } from "../audit/note.ts";
import type { AuditWriter } from "../audit/writer.ts";
import type { Config } from "../config.ts";
import { accountRoutes } from "../modules/customers/account.routes.ts";
import { accountRequestRoutes } from "../modules/requests/requests.account.routes.ts";
import { noticeSender } from "../modules/requests/requests.notices.ts";
import { expireUnverified } from "../modules/requests/requests.verify.ts";
import { publicRequestRoutes } from "../modules/requests/requests.public.routes.ts";
import { requestRoutes } from "../modules/requests/requests.routes.ts";
import type { RequestsDeps } from "../modules/requests/requests.service.ts";
import { customerAccountSection } from "../modules/customers/customers.section.ts";
import { createCustomersDeps } from "../modules/customers/customers.service.ts";
import { DEFAULT_CUSTOMER_ACCESS, type CustomerAccessSettings } from "../modules/customers/customers.ts";
import { meRoutes } from "../modules/customers/me.routes.ts";
import { gppRoutes } from "../modules/customers/gpp.routes.ts";
import { recordRoutes, registerRecordSections } from "../modules/records/records.routes.ts";
import { requireRouteUses } from "./route-use.ts";
import { consentRoutes } from "../modules/consent/consent.routes.ts";
import { deliverabilityRoutes } from "../modules/deliverability/deliverability.routes.ts";
import { webhookRoutes } from "../modules/deliverability/webhook.routes.ts";
import { consentSection } from "../modules/consent/consent.section.ts";
import { staffRoutes } from "../modules/staff/staff.routes.ts";
import { consoleRoutes } from "../modules/staff/console.routes.ts";
import { suppressionRoutes } from "../modules/suppression/suppression.routes.ts";
import { removalRoutes } from "../modules/removal/removal.routes.ts";
import { unsubscribeRoutes } from "../modules/unsubscribe/unsubscribe.routes.ts";
import { affiliateRoutes } from "../modules/affiliates/affiliates.routes.ts";
import { disclosureRoutes } from "../modules/disclosures/disclosures.routes.ts";
import { disclosuresSection } from "../modules/disclosures/disclosures.section.ts";
import { exportRoutes } from "../modules/exports/exports.routes.ts";
import { salesTrackingRoutes } from "../modules/sales-tracking/sales-tracking.routes.ts";
import type { Vault } from "../crypto/vault.types.ts";
import { ephemeralVault } from "../modules/subjects/ephemeral-vault.ts";
import { createSubjectRegistry, type SubjectRegistry } from "../modules/subjects/registry.ts";
import { subjectPartRoutes } from "../modules/subjects/subjects.parts.routes.ts";
import { subjectRoutes } from "../modules/subjects/subjects.routes.ts";
import { installInputGuard } from "./input-guard.ts";
import { installIdempotency } from "./idempotency.ts";
import type { PolicyHistory } from "../policy/history.ts";
import type { Store } from "../store/store.ts";
import { FailureLimiter, type FailureLimit } from "../throttle/failures.ts";
import { Authenticator } from "./auth.ts";
import { auditRoutes } from "./audit.routes.ts";
import { decisionRoutes } from "./decisions.routes.ts";
import { installErrorHandling } from "./error-handler.ts";
import { storeUnavailable } from "../store/faults.ts";
import { docsCsp, installSecurityHeaders } from "./headers.ts";
import { problemSchema } from "./errors.ts";
import { healthRoutes } from "./health.routes.ts";
import { createLogger, installPathVocabulary } from "./logger.ts";
import { countAnswers, createMetrics, metricsRoute } from "./metrics.ts";
import { complaintRoutes } from "../modules/complaints/complaints.routes.ts";
import { holdRoutes } from "../modules/holds/holds.routes.ts";
import { retentionRoutes } from "../modules/retention/retention.routes.ts";
import { createRetentionSchedule } from "../modules/retention/retention.schedule.ts";
import { legalNoticeSender } from "../modules/legal/legal.notices.ts";
import { legalRoutes } from "../modules/legal/legal.routes.ts";
import { analyticsRoutes } from "../modules/analytics/analytics.routes.ts";
import { recommendationRoutes } from "../modules/recommendations/recommendations.routes.ts";
import { productViewsSection } from "../modules/recommendations/recommendations.section.ts";
import { Salts } from "../modules/analytics/analytics.service.ts";
import { fraudRoutes } from "../modules/fraud/fraud.routes.ts";
import type { RecordsDeps } from "../modules/records/records.ts";
import { expireHolds } from "../modules/fraud/fraud.service.ts";
import { holdNoticeSender } from "../modules/fraud/fraud.notices.ts";
import { campaignRoutes } from "../modules/campaigns/campaigns.routes.ts";
import type { MessageRef } from "../modules/campaigns/campaigns.ts";
import { createCampaignSender } from "../modules/campaigns/sender.ts";
import { createSmtpTransport, type MailTransport } from "../modules/messages/transport.ts";
import { unsubscribeLinks } from "../modules/unsubscribe/links.ts";
import { PolicyBook } from "../policy/book.ts";
import { policyRoutes } from "./policy.routes.ts";
import { policyViewRoutes } from "./policy-view.routes.ts";
import { DEFAULT_WEB_ROOT, webRoutes } from "./web.routes.ts";
import { wellKnownRoutes } from "./well-known.routes.ts";
import { policyPublishRoutes } from "../modules/policy-versions/versions.routes.ts";
import { drpAgentRoutes } from "../modules/drp/agents.routes.ts";
import { StatusCallbacks } from "../modules/drp/callbacks.ts";
import type { AgentRequests } from "../modules/drp/drp.port.ts";
import { drpRoutes } from "../modules/drp/drp.routes.ts";
import { agentRequestsOf } from "../modules/drp/requests.port.ts";
import { DEFAULT_SKEW_MS } from "../modules/drp/envelope.ts";
import { AgentTokens, ReplayGuard } from "../modules/drp/tokens.ts";
import { serialRunner } from "../jobs/serial.ts";
import { buildMissing, keptAudiences, sweepKept } from "../use/kept.ts";

export interface AppDeps {
  readonly config: Config;
  readonly store: Store;
  /** Every version of the company's policy; each is compiled here, once. */
  readonly policies: PolicyHistory;
  readonly audit: AuditWriter;
  readonly clock: () => Date;
  readonly logger?: FastifyBaseLogger;
  /** Customers' sign-in limits, lock-out and sessions; defaults in DEFAULT_CUSTOMER_ACCESS. */
  readonly customerAccess?: Partial<CustomerAccessSettings>;
  /** Field encryption. Absent: a vault with keys made in memory for this process (tests only). */
  readonly vault?: Vault;
  /** Sections of a subject's record that export and erasure walk; other modules register theirs. */
  readonly sections?: SubjectRegistry;
  /** Outbound email. Absent: an SMTP transport from `config.mail` when PLEDGE_SMTP_URL is set. */
  readonly mailTransport?: MailTransport;
  /** Whether this node takes campaign send jobs; default `config.mail.sendWorkers`. */
  readonly sendWorkers?: boolean;
  /** The audit signing key's public half, published at /v1/audit/checkpoint/key; absent: not published. */
  readonly auditPublicKey?: KeyObject | null;
  /** Failed staff API keys allowed per source address; default DEFAULT_API_KEY_FAILURES. */
  readonly apiKeyFailures?: FailureLimit;
  /** Rights requests as Data Rights Protocol agents reach them; absent: Pledge's request service. */
  readonly agentRequests?: AgentRequests;
  /** Waits between attempts to deliver a DRP status callback; default DEFAULT_CALLBACK_DELAYS_MS. */
  readonly drpCallbackDelaysMs?: readonly number[];
  /** Run retention daily on pg-boss at `config.retentionHour` (`pledge serve` does); default false. */
  readonly scheduleRetention?: boolean;
  /** The built web applications (src/http/web.routes.ts); default DEFAULT_WEB_ROOT, dist/web. */
  readonly webRoot?: string;
}

/** 10 failed API keys a minute per source address, on all nodes together. */
export const DEFAULT_API_KEY_FAILURES: FailureLimit = Object.freeze({ capacity: 10, perMs: 60_000 });

/**
 * The composition root of the HTTP API. Owns nothing it is given: closing the app stops the
 * server and waits for requests in flight; the caller then closes the audit writer and store.
 */
export async function createApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, store, clock } = deps;
  const book = new PolicyBook(deps.policies);
  const now = () => clock().getTime();
  const keyFailures = new FailureLimiter(
    store.db,
    "api_key",
    deps.apiKeyFailures ?? DEFAULT_API_KEY_FAILURES,
    now,
  );
  const auth = new Authenticator(store.db, now, keyFailures);
  const hops = config.trustProxy;
  const trustProxy =
    typeof hops === "number" ? (_address: string, hop: number) => hop < hops : hops && [...hops];
  const app = Fastify({
    loggerInstance: deps.logger ?? createLogger(config.logLevel),
    bodyLimit: config.bodyLimit,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true } },
    routerOptions: { ignoreTrailingSlash: true },
    // request.ip: the socket's peer, or the client a trusted proxy names (PLEDGE_TRUST_PROXY).
    trustProxy,
  });
  app.decorateRequest("caller", null);
  installPathVocabulary(app);
  installSecurityHeaders(app);
  installErrorHandling(app);
  const metrics = createMetrics({ db: store.db, clock, log: app.log });
  countAnswers(app, metrics);
  app.addSchema(problemSchema);
  installInputGuard(app);
  installIdempotency(app, { db: store.db, clock });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Pledge",
        version: "1",
        description:
          "The system of record for customer information that enforces the company's privacy policy.",
      },
      components: {
        securitySchemes: {
          apiKey: {
            type: "http",
            scheme: "bearer",
            description: "pk_<prefix>_<secret>; X-API-Key is accepted too",
          },
        },
      },
    },
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) =>
        typeof json.$id === "string" ? json.$id : `def-${i}`,
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs", staticCSP: true, transformStaticCSP: docsCsp });
  // From here on every route declares its use of personal data, or registration fails; staff
  // routes are authenticated from their declaration (src/http/route-use.ts).
  requireRouteUses(app, { auth, pack: () => book.at(clock().toISOString()).pack });
  app.get("/openapi.json", { schema: { hide: true }, config: { use: PUBLIC } }, async () => app.swagger());
  metricsRoute(app, metrics, config.metricsToken);

  // What every use of personal data goes through: the kernel's dependencies (src/use/kernel.ts).
  const uses = {
    db: store.db,
    policies: book,
    vault: deps.vault ?? ephemeralVault(),
    clock,
    region: config.region,
    onDecision: metrics.decided,
    audit: deps.audit,
  };
  await app.register(healthRoutes, { store, book, clock });
  await app.register(policyRoutes, { book, clock });
  await app.register(policyViewRoutes, { book, clock });
  await app.register(webRoutes, { root: deps.webRoot ?? DEFAULT_WEB_ROOT });
  await app.register(wellKnownRoutes, { book, clock });
  await app.register(decisionRoutes, { deps: uses, audit: deps.audit });
  await app.register(auditRoutes, {
    db: store.db,
    audit: deps.audit,
    clock,
    origin: checkpointOrigin(config.mail.publicUrl),
    publicKey: deps.auditPublicKey ?? null,
  });
  await app.register(staffRoutes, {
    db: store.db,
    auth,
    clock,
    currentPack: () => book.at(clock().toISOString()).pack,
  });
  const sections = deps.sections ?? createSubjectRegistry();
  const subjects = { ...uses, sections };
  await app.register(subjectRoutes, { deps: subjects });
  await app.register(subjectPartRoutes, { deps: subjects });
  registerRecordSections(sections);
  await app.register(recordRoutes, uses);
  const customers = createCustomersDeps(subjects, {
    ...DEFAULT_CUSTOMER_ACCESS,
    trustForwardedProto: config.trustProxy !== false,
    ...deps.customerAccess,
  });
  for (const section of [customerAccountSection, consentSection, disclosuresSection, productViewsSection]) {
    if (!sections.sections().some((s) => s.name === section.name)) sections.register(section);
  }
  await app.register(consentRoutes, { deps: uses });
  await app.register(suppressionRoutes, { db: store.db, vault: uses.vault, clock });
  await app.register(accountRoutes, { deps: customers });
  await app.register(consoleRoutes, {
    db: store.db,
    vault: uses.vault,
    auth,
    clock,
    currentPack: () => book.at(clock().toISOString()).pack,
    transport: customers.settings,
  });
  await app.register(meRoutes, { deps: customers });
  await app.register(gppRoutes, { deps: customers });
  await app.register(deliverabilityRoutes, { deps: uses });
  await app.register(webhookRoutes, {
    db: store.db,
    clock,
    packAt: (at: string) => book.at(at).pack,
    secret: config.webhookSecret,
  });
  await app.register(disclosureRoutes, { deps: uses });
  await app.register(exportRoutes, { deps: uses });
  await app.register(affiliateRoutes, { deps: uses });
  await app.register(salesTrackingRoutes, { deps: uses });
  await app.register(unsubscribeRoutes, {
    db: store.db,
    vault: uses.vault,
    auth,
    clock,
    packAt: (at: string) => book.at(at).pack,
    hookSecret: config.webhookSecret,
  });
  const transport =
    deps.mailTransport ?? (config.mail.smtpUrl === null ? null : createSmtpTransport(config.mail));
  // Rights requests: notices go out after the move that owes them commits, and on a sweep.
  const notices =
    transport === null
      ? null
      : noticeSender({ ...uses, transport, publicUrl: config.mail.publicUrl }, (error) =>
          app.log.warn({ err: error }, "request notices not sent"),
        );
  const sweep = notices === null ? null : setInterval(() => notices.kick(), 60_000);
  sweep?.unref();
  const sender = createCampaignSender({
    store,
    send:
      transport === null || !(deps.sendWorkers ?? config.mail.sendWorkers)
        ? null
        : { ...uses, transport, mail: config.mail, links: unsubscribeLinks },
    workers: config.mail.smtpPool,
    logger: app.log,
  });
  // Campaigns a stopped node was sending are recovered and resumed once the app is ready. While
  // the store (or, on Citus, one of its workers) cannot be reached, the app serves anyway
  // (requests that need it answer 503) and asks again every 5 s.
  let resumeRetry: NodeJS.Timeout | null = null;
  const resume = async (): Promise<void> => {
    try {
      await sender.resume();
    } catch (error) {
      if (!storeUnavailable(error)) throw error;
      app.log.warn(
        { errCode: (error as { code?: unknown }).code },
        "campaign sends not resumed yet: store unavailable",
      );
      resumeRetry = setTimeout(
        () => void resume().catch((e: unknown) => app.log.error({ err: e }, "resume")),
        5_000,
      );
      resumeRetry.unref();
    }
  };
  app.addHook("onReady", resume);
  app.addHook("onClose", async () => {
    if (resumeRetry !== null) clearTimeout(resumeRetry);
    if (sweep !== null) clearInterval(sweep);
    await notices?.idle();
    await sender.stop();
    if (deps.mailTransport === undefined) await transport?.close();
  });
  const campaigns = {
    ...uses,
    enqueue:
      transport === null ? null : (id: string, refs: readonly MessageRef[]) => sender.enqueue(id, refs),
  };
  await app.register(campaignRoutes, { deps: campaigns });
  // Publishing policy versions; a material change is announced with the campaign service (PS-10).
  await app.register(policyPublishRoutes, { db: store.db, book, clock, region: config.region, campaigns });
  // Every change of a request, after commit: its notices, and agents' status callbacks (DRP).
  const requestListeners: ((requestId: string) => void)[] = [];
  const requests: RequestsDeps = {
    ...subjects,
    onChange: (id) => {
      notices?.kick();
      for (const listener of requestListeners) listener(id);
    },
  };
  // Requests whose verification link expired unused are closed as expired, on a sweep.
  const expiry = setInterval(() => {
    void expireUnverified(requests).catch((error: unknown) =>
      app.log.warn({ err: error }, "request expiry failed"),
    );
  }, 60_000);
  expiry.unref();
  app.addHook("onClose", async () => clearInterval(expiry));
  await app.register(requestRoutes, { deps: requests });
  await app.register(removalRoutes, { deps: requests });
  await app.register(holdRoutes, { deps: { db: store.db, clock } });
  const retention = { db: store.db, clock, packAt: (at: string) => book.at(at).pack };
  await app.register(retentionRoutes, { deps: retention });
  if (deps.scheduleRetention === true && config.retentionHour !== null) {
    const schedule = createRetentionSchedule({
      store,
      deps: retention,
      hour: config.retentionHour,
      logger: app.log,
    });
    app.addHook("onReady", () => schedule.start());
    app.addHook("onClose", () => schedule.stop());
  }
  // Legal requests: the people's notices go out after a production commits, and on a sweep.
  const legalNotices =
    transport === null
      ? null
      : legalNoticeSender(uses, transport, (error) => app.log.warn({ err: error }, "legal notices not sent"));
  const legalSweep = legalNotices === null ? null : setInterval(() => legalNotices.kick(), 60_000);
  legalSweep?.unref();
  app.addHook("onClose", async () => {
    if (legalSweep !== null) clearInterval(legalSweep);
    await legalNotices?.idle();
  });
  await app.register(legalRoutes, {
    deps: { ...uses, kick: () => legalNotices?.kick() },
    transport,
  });
  // Kept audiences (src/use/kept.ts): built when the policy in force has some not yet built (a
  // new store, a pack version taking effect), and the people writes marked worked out again,
  // every few seconds, one node at a time; reads are exact meanwhile.
  const keptSweep = serialRunner(
    async () => {
      const now = clock();
      const { pack, policy } = book.at(now.toISOString());
      const audiences = keptAudiences(policy, pack, config.region);
      await buildMissing(store.db, audiences, policy.version, now);
      return sweepKept(store.db, audiences, { maxBatches: 25 });
    },
    (error: unknown) => app.log.warn({ err: error }, "kept audience sweep failed"),
  );
  const keptTimer = setInterval(() => keptSweep.kick(), KEPT_SWEEP_MS);
  keptTimer.unref();
  app.addHook("onClose", async () => {
    clearInterval(keptTimer);
    await keptSweep.idle();
  });
  // Site statistics: the day's salt is rotated by the first hit of a day; an hourly sweep destroys
  // salts past 48 hours on days without hits too.
  const salts = new Salts(store.db, clock);
  const saltSweep = setInterval(() => {
    void salts.sweep().catch((error: unknown) => app.log.warn({ err: error }, "analytics salt sweep failed"));
  }, 3600_000);
  saltSweep.unref();
  app.addHook("onClose", async () => clearInterval(saltSweep));
  await app.register(analyticsRoutes, {
    deps: uses,
    salts,
    writers: store.kind === "pglite" ? 1 : 4,
    hitsPerMinute: config.analyticsHitsPerMinute,
  });
  // The Z16-08 exception: a signed-in customer's own product views and recommendations.
  await app.register(recommendationRoutes, { deps: customers });
  await registerFraud(app, uses, transport);
  await app.register(accountRequestRoutes, { deps: requests, customers });
  await app.register(publicRequestRoutes, { deps: requests, settings: customers.settings });
  await app.register(complaintRoutes, { ...requests, auth, hookSecret: config.webhookSecret });
  await registerDrp(
    app,
    deps,
    deps.agentRequests ?? agentRequestsOf(requests, (listener) => requestListeners.push(listener)),
  );
  return app;
}

/**
 * Fraud holds (ZM-09): the staff routes, the customer's notice when a hold closes (after the
 * commit, and on the sweep until the relay takes it), and the sweep that rejects holds past the
 * pack's verification limit.
 */
async function registerFraud(
  app: FastifyInstance,
  uses: RecordsDeps,
  transport: MailTransport | null,
): Promise<void> {
  const warn = (what: string) => (error: unknown) => app.log.warn({ err: error }, what);
  const notices =
    transport === null ? null : holdNoticeSender({ ...uses, transport }, warn("fraud hold notices not sent"));
  const deps = { ...uses, onClosed: () => notices?.kick() };
  const sweep = setInterval(() => {
    notices?.kick();
    void expireHolds(deps).catch(warn("fraud hold expiry failed"));
  }, 60_000);
  sweep.unref();
  app.addHook("onClose", async () => {
    clearInterval(sweep);
    await notices?.idle();
  });
  await app.register(fraudRoutes, { deps });
}

/**
 * The Data Rights Protocol (docs/drp.md), served only when PLEDGE_DRP_BUSINESS_ID names this
 * business: the agent registry, and the protocol's endpoints over the rights requests. Status
 * callbacks follow every change of an agent's request, and stop when the app closes.
 */
async function registerDrp(app: FastifyInstance, deps: AppDeps, requests: AgentRequests): Promise<void> {
  const { config, store, clock } = deps;
  if (config.drpBusinessId === null) return;
  const tokens = new AgentTokens(store.db, () => clock().getTime());
  await app.register(drpAgentRoutes, { db: store.db, clock, tokens });
  const callbacks = new StatusCallbacks({
    db: store.db,
    log: app.log,
    read: (id) => requests.status("", id),
    ...(deps.drpCallbackDelaysMs === undefined ? {} : { delaysMs: deps.drpCallbackDelaysMs }),
  });
  requests.onChange((id) => callbacks.changed(id));
  app.addHook("onClose", () => callbacks.close());
  await app.register(drpRoutes, {
    db: store.db,
    clock,
    businessId: config.drpBusinessId,
    skewMs: DEFAULT_SKEW_MS,
    requests,
    tokens,
    replay: new ReplayGuard(),
  });
}

/** How often a server sweeps the people marked for their kept audiences (src/use/kept.ts). */
const KEPT_SWEEP_MS = 5_000;

/** The declaration of a route anyone may call that touches no personal data. */
const PUBLIC = { callers: { public: true }, personal: false } as const;
