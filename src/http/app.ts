import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { AuditWriter } from "../audit/writer.ts";
import type { Config } from "../config.ts";
import { accountRoutes } from "../modules/customers/account.routes.ts";
import { customerAccountSection } from "../modules/customers/customers.section.ts";
import { createCustomersDeps } from "../modules/customers/customers.service.ts";
import { DEFAULT_CUSTOMER_ACCESS, type CustomerAccessSettings } from "../modules/customers/customers.ts";
import { meRoutes } from "../modules/customers/me.routes.ts";
import { recordRoutes, registerRecordSections } from "../modules/orders/records.routes.ts";
import { consentRoutes } from "../modules/consent/consent.routes.ts";
import { deliverabilityRoutes } from "../modules/deliverability/deliverability.routes.ts";
import { webhookRoutes } from "../modules/deliverability/webhook.routes.ts";
import { consentSection } from "../modules/consent/consent.section.ts";
import { staffRoutes } from "../modules/staff/staff.routes.ts";
import { suppressionRoutes } from "../modules/suppression/suppression.routes.ts";
import { removalRoutes } from "../modules/removal/removal.routes.ts";
import { unsubscribeRoutes } from "../modules/unsubscribe/unsubscribe.routes.ts";
import { affiliateRoutes } from "../modules/affiliates/affiliates.ts";
import { disclosureRoutes } from "../modules/disclosures/disclosures.routes.ts";
import { disclosuresSection } from "../modules/disclosures/disclosures.section.ts";
import { exportRoutes } from "../modules/exports/exports.routes.ts";
import { salesTrackingRoutes } from "../modules/sales-tracking/sales-tracking.ts";
import type { Vault } from "../crypto/vault.types.ts";
import { ephemeralVault } from "../modules/subjects/ephemeral-vault.ts";
import { createSubjectRegistry, type SubjectRegistry } from "../modules/subjects/registry.ts";
import { subjectPartRoutes } from "../modules/subjects/subjects.parts.routes.ts";
import { subjectRoutes } from "../modules/subjects/subjects.routes.ts";
import { installCardGuard } from "./card-guard.ts";
import { installIdempotency } from "./idempotency.ts";
import type { PolicyHistory } from "../policy/history.ts";
import type { Store } from "../store/store.ts";
import { Authenticator } from "./auth.ts";
import { decisionRoutes } from "./decisions.routes.ts";
import { installErrorHandling } from "./error-handler.ts";
import { problemSchema } from "./errors.ts";
import { healthRoutes } from "./health.routes.ts";
import { createLogger } from "./logger.ts";
import { complaintRoutes } from "../modules/complaints/complaints.routes.ts";
import { campaignRoutes } from "../modules/campaigns/campaigns.routes.ts";
import { createCampaignSender } from "../modules/campaigns/sender.ts";
import { createSmtpTransport, type MailTransport } from "../modules/messages/transport.ts";
import { unsubscribeLinks } from "../modules/unsubscribe/links.ts";
import { PolicyBook } from "./policies.ts";
import { policyPublishRoutes, policyRoutes } from "./policy.routes.ts";

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
}

/**
 * The composition root of the HTTP API. Owns nothing it is given: closing the app stops the
 * server and waits for requests in flight; the caller then closes the audit writer and store.
 */
export async function createApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, store, clock } = deps;
  const book = new PolicyBook(deps.policies);
  const auth = new Authenticator(store.db, () => clock().getTime());
  const app = Fastify({
    loggerInstance: deps.logger ?? createLogger(config.logLevel),
    bodyLimit: config.bodyLimit,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true } },
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.decorateRequest("caller", null);
  installErrorHandling(app);
  app.addSchema(problemSchema);
  installCardGuard(app);
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
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, { store, book, clock });
  await app.register(policyRoutes, { book, clock });
  await app.register(decisionRoutes, {
    db: store.db,
    auth,
    book,
    audit: deps.audit,
    clock,
    region: config.region,
  });
  await app.register(staffRoutes, {
    db: store.db,
    auth,
    clock,
    currentPack: () => book.at(clock().toISOString()).pack,
  });
  const subjects = {
    db: store.db,
    vault: deps.vault ?? ephemeralVault(),
    policies: book,
    sections: deps.sections ?? createSubjectRegistry(),
    clock,
    region: config.region,
  };
  await app.register(subjectRoutes, { auth, deps: subjects });
  await app.register(subjectPartRoutes, { auth, deps: subjects });
  registerRecordSections(subjects.sections);
  await app.register(recordRoutes, {
    auth,
    db: store.db,
    book,
    vault: subjects.vault,
    clock,
    region: config.region,
  });
  const customers = createCustomersDeps(subjects, { ...DEFAULT_CUSTOMER_ACCESS, ...deps.customerAccess });
  if (!subjects.sections.sections().some((s) => s.name === customerAccountSection.name)) {
    subjects.sections.register(customerAccountSection);
  }
  if (!subjects.sections.sections().some((s) => s.name === consentSection.name)) {
    subjects.sections.register(consentSection);
  }
  await app.register(consentRoutes, { db: store.db, auth, clock, packAt: (at) => book.at(at).pack });
  await app.register(suppressionRoutes, { db: store.db, vault: subjects.vault, auth, clock });
  await app.register(accountRoutes, { deps: customers });
  await app.register(meRoutes, { deps: customers });
  const lists = { db: store.db, vault: subjects.vault, policies: book, clock, region: config.region };
  await app.register(deliverabilityRoutes, { auth, deps: lists });
  await app.register(webhookRoutes, {
    db: store.db,
    clock,
    packAt: (at: string) => book.at(at).pack,
    secret: config.webhookSecret,
  });
  if (!subjects.sections.sections().some((s) => s.name === disclosuresSection.name)) {
    subjects.sections.register(disclosuresSection);
  }
  const disclosures = { db: store.db, vault: subjects.vault, policies: book, clock, region: config.region };
  await app.register(disclosureRoutes, { auth, deps: disclosures });
  await app.register(exportRoutes, { auth, deps: disclosures });
  await app.register(affiliateRoutes, { auth, deps: disclosures });
  await app.register(salesTrackingRoutes, { auth, deps: disclosures });
  await app.register(unsubscribeRoutes, {
    db: store.db,
    vault: subjects.vault,
    auth,
    clock,
    packAt: (at: string) => book.at(at).pack,
    hookSecret: config.webhookSecret,
  });
  const transport =
    deps.mailTransport ?? (config.mail.smtpUrl === null ? null : createSmtpTransport(config.mail));
  const sender = createCampaignSender({
    store,
    send:
      transport === null || !(deps.sendWorkers ?? config.mail.sendWorkers)
        ? null
        : {
            db: store.db,
            book,
            vault: subjects.vault,
            transport,
            mail: config.mail,
            links: unsubscribeLinks,
            clock,
            region: config.region,
          },
    workers: config.mail.smtpPool,
    logger: app.log,
  });
  // Campaigns a stopped node was sending are recovered and resumed once the app is ready.
  app.addHook("onReady", () => sender.resume());
  app.addHook("onClose", async () => {
    await sender.stop();
    if (deps.mailTransport === undefined) await transport?.close();
  });
  await app.register(campaignRoutes, {
    auth,
    deps: {
      db: store.db,
      book,
      clock,
      region: config.region,
      enqueue: transport === null ? null : (id, ids) => sender.enqueue(id, ids),
    },
  });
  // Publishing policy versions; a material change is announced with the campaign service (PS-10).
  await app.register(policyPublishRoutes, {
    db: store.db,
    auth,
    book,
    clock,
    region: config.region,
    campaigns: {
      db: store.db,
      book,
      clock,
      region: config.region,
      enqueue: transport === null ? null : (id, ids) => sender.enqueue(id, ids),
    },
  });
  await app.register(removalRoutes, {
    auth,
    deps: { db: store.db, vault: subjects.vault, policies: book, clock },
  });
  await app.register(complaintRoutes, {
    auth,
    db: store.db,
    book,
    vault: subjects.vault,
    clock,
    region: config.region,
    hookSecret: config.webhookSecret,
  });
  return app;
}
