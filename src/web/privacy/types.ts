/** The shapes the privacy center reads from the API (their schemas are in src/http and src/modules). */
export type Channel = "email" | "postal" | "catalogue" | "phone" | "sms";

/** GET /v1/policy (src/policy/public-view.ts). */
export interface PolicyView {
  company: string;
  name: string;
  version: string;
  effectiveFrom: string;
  lastUpdated: string;
  colour: string;
  jurisdictions: string[];
  minimumAge: { years: number; clauses: string[] } | null;
  accounts: { clauses: string[]; fields: string[] } | null;
  purposes: {
    id: string;
    name: string;
    basis: string;
    channels: Channel[];
    marketing: boolean;
    clauses: string[];
  }[];
  topics: { id: string; name: string; purpose: string; channels: Channel[]; clauses: string[] }[];
  channelOptOuts: { channel: Channel; scope: string; clauses: string[] }[];
  sharing: { scope: string; recipients: string[]; clauses: string[] }[];
  sale: { allowed: "never" | "with_permission"; clauses: string[] };
  clauses: { id: string; title: string; text: string }[];
  /** Every version that has taken effect, oldest first. */
  versions: { version: string; effectiveFrom: string; lastUpdated: string; inForce: boolean }[];
}

export interface Provenance {
  collectionPoint: string;
  purpose: string;
  collectedAt: string;
  policyVersion: string;
}

/** GET /v1/account/me. */
export interface MyRecord {
  id: string;
  version: number;
  fields: Record<string, ({ value: string } & Provenance) | undefined>;
  addresses: {
    addressId: string;
    kind: string;
    address: {
      line1: string;
      line2: string | null;
      city: string;
      region: string | null;
      postalCode: string;
      country: string;
    };
    provenance: Provenance;
  }[];
}

/** GET /v1/account/me/consents. */
export interface MyConsents {
  consents: {
    scope: string;
    channel: string;
    state: "granted" | "withdrawn" | "objected";
    updatedAt: string;
  }[];
  optOuts: string[];
  permissions: string[];
  gpc: { honoured: boolean; at: string | null };
}

/** One request of GET /v1/account/requests. */
export interface MyRequest {
  id: string;
  kind: string;
  state: string;
  receivedAt: string;
  due: string | null;
  dueDate: string | null;
  daysLeft: number | null;
  overdue: boolean;
  extended: boolean;
  extensionReason: string | null;
  denialReason: string | null;
  closedAt: string | null;
}

export interface Session {
  signedIn: boolean;
  signIn(csrfToken: string): void;
  signOut(): void;
}

export const CHANNEL_NAMES: Record<Channel, string> = {
  email: "Email",
  postal: "Post",
  catalogue: "Catalogues",
  phone: "Phone",
  sms: "Text messages",
};
