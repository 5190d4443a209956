import type { FastifyInstance } from "fastify";
import { communicationRoutes } from "../communications/communications.routes.ts";
import { communicationsSection } from "../communications/communications.section.ts";
import { paymentRoutes } from "../payments/payments.routes.ts";
import { paymentsSection } from "../payments/payments.section.ts";
import type { SubjectRegistry } from "../subjects/registry.ts";
import type { RecordsDeps } from "./records.ts";
import { quoteRequestsSection, surveyAnswersSection } from "../surveys/surveys.section.ts";
import { surveyRoutes } from "../surveys/surveys.routes.ts";
import { orderRoutes } from "../orders/orders.routes.ts";
import { ordersSection, servicesSection } from "../orders/orders.section.ts";
import { serviceRoutes } from "../orders/services.routes.ts";

/**
 * The records attached to a subject, as one plugin: orders, services, payment methods,
 * communications, survey answers and quote requests. `registerRecordSections` adds their
 * sections to the subjects registry so access export and erasure walk them.
 */
export async function recordRoutes(app: FastifyInstance, opts: RecordsDeps): Promise<void> {
  await app.register(orderRoutes, opts);
  await app.register(serviceRoutes, opts);
  await app.register(paymentRoutes, opts);
  await app.register(communicationRoutes, opts);
  await app.register(surveyRoutes, opts);
}

export const RECORD_SECTIONS = [
  ordersSection,
  servicesSection,
  paymentsSection,
  communicationsSection,
  surveyAnswersSection,
  quoteRequestsSection,
] as const;

export function registerRecordSections(registry: SubjectRegistry): void {
  for (const section of RECORD_SECTIONS) {
    if (!registry.sections().some((s) => s.name === section.name)) registry.register(section);
  }
}
