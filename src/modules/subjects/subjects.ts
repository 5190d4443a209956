import { randomBytes } from "node:crypto";
import type { Actor, Decision, SubjectStatus } from "../../gate/types.ts";
import type { CompiledPolicy } from "../../gate/compiled.ts";
import type { PolicyPack } from "../../policy/schema.ts";

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

/** Who acts, and whether they have a confidentiality attestation on file (ZZ-04). */
export interface Acting {
  readonly actor: Actor;
  readonly attested: boolean;
}

/** The audit log's actor label: `customer:<id>`, `staff:<id>`, or `system`. */
export function auditActor(actor: Actor): string {
  switch (actor.kind) {
    case "customer":
      return `customer:${actor.id}`;
    case "staff":
    case "agent":
      return `staff:${actor.id}`;
    case "system":
      return actor.id === "" || actor.id === "system" ? "system" : `staff:${actor.id}`;
    default: {
      const never: never = actor.kind;
      throw new Error(`unknown actor kind ${String(never)}`);
    }
  }
}

/** Where, why and under which policy version a datum was taken in (Z16-02, ZM-02). */
export interface Provenance {
  readonly collectionPoint: string;
  readonly purpose: string;
  readonly collectedAt: string;
  readonly policyVersion: string;
}

/** The version of the policy in force at an instant; `PolicyBook` is one. */
export interface PolicyLookup {
  at(instant: string): { pack: PolicyPack; policy: CompiledPolicy };
}

export type { SubjectStatus };

/**
 * Why a use of a record did not go ahead. Expected outcomes, as values; the HTTP layer maps each
 * to a status (subjects.errors.ts). `refused` does not depend on the person (gate rules 0–16)
 * and may be told; `not_found` covers unknown subjects AND refusals that depend on the person,
 * which must look the same from outside.
 */
export type Refusal =
  | { readonly kind: "refused"; readonly decision: Decision }
  | { readonly kind: "under_age"; readonly decision: Decision }
  | { readonly kind: "not_found" }
  | { readonly kind: "duplicate"; readonly identity: "email" | "phone" }
  | { readonly kind: "invalid"; readonly errors: readonly InvalidValue[] }
  | { readonly kind: "stale"; readonly version: number };

export interface InvalidValue {
  /** Where in the input: `fields.email`, `address.postalCode`, … */
  readonly path: string;
  readonly code:
    | "PLEDGE_INVALID_EMAIL"
    | "PLEDGE_INVALID_PHONE"
    | "PLEDGE_INVALID_POSTAL_CODE"
    | "PLEDGE_INVALID_POSTAL_ADDRESS";
  readonly detail: string;
}

export type Result<T> = { readonly ok: true; readonly value: T } | ({ readonly ok: false } & Refusal);

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T>(refusal: Refusal): Result<T> => ({ ok: false, ...refusal });

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** `C` + 12 base32 characters (60 random bits): unguessable, safe in a cookie (ZM-13). */
export function newCustomerNumber(): string {
  const bytes = randomBytes(12);
  let out = "C";
  for (const b of bytes) out += BASE32[b & 31];
  return out;
}
