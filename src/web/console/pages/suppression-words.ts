/**
 * The Do Not Send list's channels and reasons (src/modules/suppression/suppression.ts) in the
 * words the console shows. The ids are the API's; a new one in the API shows as its id until named.
 */
export const CHANNELS = ["email", "phone", "sms", "postal", "catalogue"] as const;
export type Channel = (typeof CHANNELS)[number];

export const CHANNEL_NAMES: Record<Channel, string> = {
  email: "Email",
  phone: "Phone calls",
  sms: "Text messages",
  postal: "Post",
  catalogue: "Catalogues",
};

/** Postal and catalogue addresses are sent as their parts; the others as one line of text. */
export const isPostal = (channel: Channel): boolean => channel === "postal" || channel === "catalogue";

export const ADD_REASONS = {
  unsubscribe: "Unsubscribed",
  complaint: "Complaint",
  bounce: "Bounced",
  request: "The person asked",
  staff: "Staff decision",
  import: "Imported",
} as const;

export const REMOVAL_REASONS = {
  added_in_error: "Added in error",
  customer_request: "The person asked",
  consent_renewed: "Consent given again",
} as const;

export const nameOf = (names: Readonly<Record<string, string>>, id: string): string => names[id] ?? id;
