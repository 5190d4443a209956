import { normaliseEmail, normalisePhone, normalisePostal, normaliseZip } from "../../crypto/normalise.ts";
import type { PostalAddressInput } from "../../crypto/postal.ts";
import type { Vault } from "../../crypto/vault.types.ts";
import type { InvalidValue } from "../../use/refusal.ts";
import type { ProfileField } from "./subjects.ts";

/**
 * Submitted values checked and brought to the one form Pledge stores and indexes. Email and
 * phone become identities (a blind index for lookups and duplicate checks). Refusals are values
 * naming where the bad value was and what is wrong, never the value.
 */
export interface CleanField {
  readonly field: ProfileField;
  readonly value: string;
}

export interface CleanIdentity {
  readonly kind: "email" | "phone" | "postal";
  readonly blindIndex: string;
  readonly value: string;
}

export interface CleanProfile {
  readonly fields: readonly CleanField[];
  readonly identities: readonly CleanIdentity[];
}

export function cleanProfile(
  vault: Vault,
  input: Readonly<Partial<Record<ProfileField, string>>>,
  path = "fields",
): { ok: true; value: CleanProfile } | { ok: false; errors: InvalidValue[] } {
  const fields: CleanField[] = [];
  const identities: CleanIdentity[] = [];
  const errors: InvalidValue[] = [];
  for (const [name, raw] of Object.entries(input) as [ProfileField, string | undefined][]) {
    if (raw === undefined) continue;
    const at = `${path}.${name}`;
    switch (name) {
      case "email":
      case "phone": {
        const n = name === "email" ? normaliseEmail(raw) : normalisePhone(raw);
        if (!n.ok) errors.push({ path: at, code: n.code as InvalidValue["code"], detail: n.detail });
        else {
          fields.push({ field: name, value: n.value });
          identities.push({ kind: name, blindIndex: vault.blindIndex(name, n.value), value: n.value });
        }
        break;
      }
      case "zip": {
        const n = normaliseZip(raw);
        if (!n.ok) errors.push({ path: at, code: n.code as InvalidValue["code"], detail: n.detail });
        else fields.push({ field: name, value: n.value });
        break;
      }
      case "first_name":
      case "last_name":
      case "interests":
      case "account_status":
        fields.push({ field: name, value: raw.trim() });
        break;
      default: {
        const never: never = name;
        throw new Error(`unknown profile field ${String(never)}`);
      }
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: { fields, identities } };
}

export interface AddressInput extends PostalAddressInput {
  /** Who the address is for (a name on a parcel); optional. */
  readonly name?: string | null;
}

export interface CleanAddress {
  /** The whole address as stored (encrypted): what the person typed, trimmed, plus the normalised form. */
  readonly json: string;
  readonly blindIndex: string;
  readonly canonical: string;
}

export function cleanAddress(
  vault: Vault,
  input: AddressInput,
  path = "address",
): { ok: true; value: CleanAddress } | { ok: false; errors: InvalidValue[] } {
  const n = normalisePostal(input);
  if (!n.ok) return { ok: false, errors: [{ path, code: n.code as InvalidValue["code"], detail: n.detail }] };
  const stored = {
    name: input.name?.trim() ?? null,
    line1: input.line1.trim(),
    line2: input.line2?.trim() ?? null,
    city: input.city.trim(),
    region: input.region?.trim() ?? null,
    postalCode: n.value.postalCode,
    country: n.value.country,
  };
  return {
    ok: true,
    value: {
      json: JSON.stringify(stored),
      blindIndex: vault.blindIndex("postal", n.value.canonical),
      canonical: n.value.canonical,
    },
  };
}

/** An address as read back: the stored JSON. */
export interface AddressValue {
  readonly name: string | null;
  readonly line1: string;
  readonly line2: string | null;
  readonly city: string;
  readonly region: string | null;
  readonly postalCode: string;
  readonly country: string;
}
