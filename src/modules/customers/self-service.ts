import type { AddressRecord } from "../subjects/addresses.repository.ts";
import { addAddress, listAddresses, removeAddress } from "../subjects/addresses.ts";
import type { ContactRecord } from "../subjects/contacts.repository.ts";
import { addContact, listContacts, removeContact, type ContactInput } from "../subjects/contacts.ts";
import { readSubject, type SubjectView } from "../subjects/read.ts";
import type { AddressInput } from "../subjects/subjects.values.ts";
import { updateSubject, type UpdatedSubject } from "../subjects/update.ts";
import { fail, ok, type Result } from "../../use/refusal.ts";
import type { ServiceView } from "../orders/orders.ts";
import { addService, changeService, listServices } from "../orders/services.service.ts";
import { listPaymentMethods, setPaymentMethodReuse } from "../payments/payments.service.ts";
import type { PaymentMethodView } from "../payments/payments.ts";
import { recordPermissionInLedger } from "../payments/permissions.ts";
import { customerActing } from "../../use/acting.ts";
import type { Acting } from "../../use/acting.ts";
import type { AddressKind, ProfileField } from "../subjects/subjects.ts";
import type { ConsentEvent, ConsentInput } from "../consent/consent.ts";
import { ownConsentsFor, ownGppFor, recordConsentFor } from "../consent/consent.uses.ts";
import type { GppAnswer } from "../consent/gpp.ts";
import { exportOwnRecord, type SubjectExport } from "../subjects/export.ts";
import type { OwnConsents } from "../consent/gpc.ts";
import {
  personLedger,
  recipientNames,
  shineTheLightFor,
  type LedgerEntry,
  type ShineTheLight,
} from "../disclosures/disclosures.service.ts";
import type { CustomersDeps } from "./customers.service.ts";
import { selfServicePurpose } from "./customers.ts";

/** Where a customer's own edits are recorded as collected (Z16-02, ZM-02). */
export const SELF_SERVICE_COLLECTION_POINT = "web.account";

/** The page a customer's own consent choice is recorded from (its evidence). */
export const OWN_CHOICES_PAGE = "/v1/account/me/consents";

/** What a customer chooses for themself: the ledger's input without its source and evidence. */
export type OwnChoice = Omit<ConsentInput, "source" | "evidence">;

/** Fields a customer edits on their own record; account_status is the company's, not theirs. */
export const OWN_PROFILE_FIELDS = ["first_name", "last_name", "email", "phone", "zip", "interests"] as const;
export type OwnProfileField = (typeof OWN_PROFILE_FIELDS)[number] & ProfileField;

/**
 * A signed-in customer's use of their own record (Z16-17, Z19-09, ZZ-09, ZM-07). Every call goes
 * through the subjects service as actor `customer:<id>` under the pack's self-service purpose, so
 * the gate decides, projects and audits each read and write exactly as for staff. The subject id
 * comes from the session, never from the request.
 */
export interface SelfService {
  read(): Promise<Result<SubjectView>>;
  update(
    expectedVersion: number,
    fields: Partial<Record<OwnProfileField, string | null>>,
  ): Promise<Result<UpdatedSubject>>;
  addresses(): Promise<Result<AddressRecord[]>>;
  addAddress(
    kind: AddressKind,
    address: AddressInput,
  ): Promise<Result<{ addressId: string; version: number }>>;
  removeAddress(kind: AddressKind, addressId: string): Promise<Result<{ version: number }>>;
  contacts(): Promise<Result<ContactRecord[]>>;
  addContact(contact: ContactInput): Promise<Result<{ contactId: string; version: number }>>;
  removeContact(contactId: string): Promise<Result<{ version: number }>>;
  /** The consent choices on file, and whether a GPC signal is honoured. */
  consents(): Promise<Result<OwnConsents>>;
  /**
   * A choice of my own: a purpose, topic, sharing scope or permission granted, withdrawn or
   * objected to, on a channel or every channel; recorded with source `web` from the account page.
   */
  choose(choice: OwnChoice): Promise<Result<ConsentEvent>>;
  /** My services (ZM-07): each with its plan, status and history. */
  services(): Promise<Result<readonly ServiceView[]>>;
  /** Orders a service on a plan. */
  /** Orders a service; `sourceAddress` is my IP address, for the fraud checks of a first order (ZM-09). */
  addService(plan: string, sourceAddress?: string): Promise<Result<ServiceView>>;
  /** Changes a service's plan, or cancels it, at the version I saw (null: whatever is current). */
  changeService(
    serviceId: string,
    expectedVersion: number | null,
    change: { action: "change"; plan: string } | { action: "cancel" },
  ): Promise<Result<ServiceView>>;
  /** My payment methods: brand, last four digits, expiry; never the provider's token. */
  paymentMethods(): Promise<Result<readonly PaymentMethodView[]>>;
  /** Allows or stops the reuse of a payment method for later orders (the card_reuse permission). */
  setPaymentReuse(
    paymentMethodId: string,
    expectedVersion: number | null,
    reuseAllowed: boolean,
  ): Promise<Result<PaymentMethodView>>;
  /**
   * Shine the Light (Z19-10): for a calendar year in the pack's time zone, the categories of my
   * information disclosed to third parties for their direct marketing, and to whom.
   */
  shineTheLight(year: number): Promise<Result<ShineTheLight>>;
  /** Who my data was given to (ALL-04): every disclosure that named me, oldest first. */
  disclosures(): Promise<Result<LedgerEntry[]>>;
  /** The same, as an IAB GPP string with the usnat section (docs/gpc.md). */
  gpp(): Promise<Result<GppAnswer>>;
  /** Everything held about me (ALL-04): every section, with each datum's provenance. */
  exportAll(): Promise<Result<SubjectExport>>;
}

export function selfService(deps: CustomersDeps, subjectId: string): SelfService {
  const s = deps.subjects;
  const acting: Acting = customerActing(subjectId);
  const purpose = selfServicePurpose(s.policies.at(deps.clock().toISOString()).pack);
  const writing = { subjectId, purpose: purpose ?? "", collectionPoint: SELF_SERVICE_COLLECTION_POINT };
  // A pack without self-service has no customer accounts: no session can exist to get here, but
  // if the policy changed under a live session, the customer sees nothing.
  const guard = <T>(run: () => Promise<Result<T>>): Promise<Result<T>> =>
    purpose === null ? Promise.resolve(fail<T>({ kind: "not_found" })) : run();
  return {
    read: () => guard(() => readSubject(s, acting, { subjectId, purpose: writing.purpose })),
    update: (expectedVersion, fields) =>
      guard(() => updateSubject(s, acting, { ...writing, expectedVersion, fields })),
    addresses: () => guard(() => listAddresses(s, acting, { subjectId, purpose: writing.purpose })),
    addAddress: (kind, address) => guard(() => addAddress(s, acting, { ...writing, kind, address })),
    removeAddress: (kind, addressId) =>
      guard(() => removeAddress(s, acting, { ...writing, kind, addressId })),
    contacts: () => guard(() => listContacts(s, acting, { subjectId, purpose: writing.purpose })),
    addContact: (contact) => guard(() => addContact(s, acting, { ...writing, contact })),
    removeContact: (contactId) => guard(() => removeContact(s, acting, { ...writing, contactId })),
    consents: () => guard(() => ownConsentsFor(s, acting, subjectId, writing.purpose)),
    choose: (choice) =>
      guard(() =>
        recordConsentFor(s, acting, subjectId, writing.purpose, {
          ...choice,
          source: "web",
          evidence: { page: OWN_CHOICES_PAGE },
        }),
      ),
    gpp: () => guard(() => ownGppFor(s, acting, subjectId, writing.purpose)),
    services: () =>
      guard(async () => {
        const page = await listServices(s, acting, subjectId, { purpose: writing.purpose, limit: 200 });
        return page.ok ? ok(page.value.items) : page;
      }),
    addService: (plan, sourceAddress) =>
      guard(() =>
        addService(s, acting, subjectId, {
          plan,
          purpose: writing.purpose,
          collectionPoint: SELF_SERVICE_COLLECTION_POINT,
          ...(sourceAddress === undefined ? {} : { sourceAddress }),
        }),
      ),
    changeService: (serviceId, expectedVersion, change) =>
      guard(() =>
        changeService(s, acting, subjectId, serviceId, expectedVersion, {
          ...change,
          purpose: writing.purpose,
          collectionPoint: SELF_SERVICE_COLLECTION_POINT,
        }),
      ),
    paymentMethods: () =>
      guard(async () => {
        const query = { purpose: writing.purpose, limit: 200, without: ["card_token"] };
        const page = await listPaymentMethods(s, acting, subjectId, query);
        return page.ok ? ok(page.value.items) : page;
      }),
    setPaymentReuse: (paymentMethodId, expectedVersion, reuseAllowed) =>
      guard(async () => {
        const deps = { ...s, recordPermission: recordPermissionInLedger };
        const input = {
          reuseAllowed,
          purpose: writing.purpose,
          collectionPoint: SELF_SERVICE_COLLECTION_POINT,
        };
        const set = await setPaymentMethodReuse(
          deps,
          acting,
          subjectId,
          paymentMethodId,
          expectedVersion,
          input,
        );
        if (!set.ok) return set;
        // The answer carries no token: the customer's page never shows it.
        const { token: _token, ...view } = set.value;
        return ok(view);
      }),
    shineTheLight: (year) =>
      guard(() => {
        const names = recipientNames(s.policies.at(deps.clock().toISOString()).pack);
        return shineTheLightFor(s, acting, { subjectId, year, purpose: writing.purpose }, names);
      }),
    disclosures: () =>
      guard(() => {
        const names = recipientNames(s.policies.at(deps.clock().toISOString()).pack);
        return personLedger(s, acting, { subjectId, purpose: writing.purpose }, names);
      }),
    exportAll: () => guard(() => exportOwnRecord(s, subjectId)),
  };
}
