import { randomBytes } from "node:crypto";
import type { SubjectStatus } from "../../gate/types.ts";
import { normaliseJurisdiction } from "../../policy/jurisdiction.ts";

/**
 * The customer record's vocabulary. Field names are the packs' category fields: a read or a
 * write names them, the gate projects, and only allowed fields leave or enter.
 */

/** Single-valued fields kept in `subject_fields`. Email and phone are also identities. */
export const PROFILE_FIELDS = [
  "first_name",
  "last_name",
  "email",
  "phone",
  "zip",
  "interests",
  "account_status",
] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

export const ADDRESS_KINDS = ["billing", "shipping", "postal"] as const;
export type AddressKind = (typeof ADDRESS_KINDS)[number];

/** The pack field an address of each kind is. */
export function addressField(kind: AddressKind): string {
  switch (kind) {
    case "billing":
      return "billing_address";
    case "shipping":
      return "shipping_address";
    case "postal":
      return "postal_address";
    default: {
      const never: never = kind;
      throw new Error(`unknown address kind ${String(never)}`);
    }
  }
}

/** The fields a contact (another person a customer adds, ZM-07) is made of. */
export const CONTACT_FIELDS = ["first_name", "last_name", "email", "phone"] as const;

/** Every field this module serves in a read: profile, customer number, addresses. */
export const RECORD_FIELDS = [
  ...PROFILE_FIELDS,
  "customer_number",
  ...ADDRESS_KINDS.map(addressField),
] as const;

/** Where, why and under which policy version a datum was taken in (Z16-02, ZM-02). */
export interface Provenance {
  readonly collectionPoint: string;
  readonly purpose: string;
  readonly collectedAt: string;
  readonly policyVersion: string;
}

export type { SubjectStatus };

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** `C` + 12 base32 characters (60 random bits): unguessable, safe in a cookie (ZM-13). */
export function newCustomerNumber(): string {
  const bytes = randomBytes(12);
  let out = "C";
  for (const b of bytes) out += BASE32[b & 31];
  return out;
}

/** A person's jurisdiction as stored: folded to one spelling (us_ca → US-CA); null when none is given. */
export function jurisdictionOf(raw: string | null | undefined): string | null {
  return raw === null || raw === undefined ? null : (normaliseJurisdiction(raw) ?? raw.toUpperCase());
}
