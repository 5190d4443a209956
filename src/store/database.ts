import type { AuditTables } from "../audit/audit.table.ts";
import type { AnalyticsTables } from "../modules/analytics/analytics.table.ts";
import type { RecommendationTables } from "../modules/recommendations/recommendations.table.ts";
import type { VaultTables } from "../crypto/vault.table.ts";
import type { FactsTables } from "../gate/facts.table.ts";
import type { CampaignTables } from "../modules/campaigns/campaigns.table.ts";
import type { CustomerTables } from "../modules/customers/customers.table.ts";
import type { DeliverabilityTables } from "../modules/deliverability/deliverability.table.ts";
import type { ComplaintTables } from "../modules/complaints/complaints.table.ts";
import type { HoldTables } from "../modules/holds/holds.table.ts";
import type { RetentionTables } from "../modules/retention/retention.table.ts";
import type { LegalTables } from "../modules/legal/legal.table.ts";
import type { FraudTables } from "../modules/fraud/fraud.table.ts";
import type { CommunicationTables } from "../modules/communications/communications.table.ts";
import type { ConsentTables } from "../modules/consent/consent.table.ts";
import type { DrpTables } from "../modules/drp/drp.table.ts";
import type { DisclosureTables } from "../modules/disclosures/disclosures.table.ts";
import type { SalesTrackingTables } from "../modules/sales-tracking/sales-tracking.table.ts";
import type { OrderTables } from "../modules/orders/orders.table.ts";
import type { PaymentTables } from "../modules/payments/payments.table.ts";
import type { StaffTables } from "../modules/staff/staff.table.ts";
import type { IdentityTables } from "../modules/subjects/identities.table.ts";
import type { SuppressionTables } from "../modules/suppression/suppression.table.ts";
import type { SubjectTables } from "../modules/subjects/subjects.table.ts";
import type { SurveyTables } from "../modules/surveys/surveys.table.ts";
import type { UnsubscribeTables } from "../modules/unsubscribe/unsubscribe.table.ts";
import type { PolicyVersionTables } from "../modules/policy-versions/versions.table.ts";
import type { RequestTables } from "../modules/requests/requests.table.ts";
import type { ThrottleTables } from "../throttle/throttle.table.ts";
import type { KeptTables } from "../use/kept.table.ts";

/** Every table Pledge keeps, as Kysely sees them. Each module declares its own tables. */
export interface Database
  extends
    AuditTables,
    StaffTables,
    FactsTables,
    IdentityTables,
    SubjectTables,
    CustomerTables,
    ConsentTables,
    SuppressionTables,
    VaultTables,
    OrderTables,
    PaymentTables,
    CommunicationTables,
    SurveyTables,
    UnsubscribeTables,
    CampaignTables,
    DisclosureTables,
    SalesTrackingTables,
    DeliverabilityTables,
    PolicyVersionTables,
    ComplaintTables,
    HoldTables,
    RetentionTables,
    LegalTables,
    FraudTables,
    RequestTables,
    DrpTables,
    ThrottleTables,
    KeptTables,
    AnalyticsTables,
    RecommendationTables {}
