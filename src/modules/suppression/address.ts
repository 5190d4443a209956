import {
  normaliseEmail,
  normalisePhone,
  normalisePostal,
  type PostalAddressInput,
} from "../../crypto/normalise.ts";
import type { Vault } from "../../crypto/vault.types.ts";
import { identityKindOf } from "../../gate/facts.table.ts";
import { PledgeError } from "../../errors.ts";
import type { Channel } from "../../policy/schema.ts";

/**
 * An address as given to the Do Not Send list: text for email, phone and sms; a postal address
 * (the same fields as a subject's) for postal and catalogue.
 */
export type SuppressionAddress = string | PostalAddressInput;

/**
 * The blind index an address is listed under on a channel: the vault's index of the normalised
 * address, for the identity kind the channel reaches. It equals the blind index the subject's
 * identity of the same address carries, which is how the gate finds a listed subject. A refusal
 * (PLEDGE_INVALID_EMAIL, …_PHONE, …_POSTAL_CODE, …_POSTAL_ADDRESS) says what is wrong, never the address.
 */
export function indexAddress(
  vault: Pick<Vault, "blindIndex">,
  channel: Channel,
  address: SuppressionAddress,
): { ok: true; index: string } | { ok: false; error: PledgeError } {
  const kind = identityKindOf(channel);
  const normalised = normalise(kind, address);
  if (!normalised.ok) return { ok: false, error: new PledgeError(normalised.code, normalised.detail) };
  return { ok: true, index: vault.blindIndex(kind, normalised.value) };
}

/** Like indexAddress, throwing the refusal: for the single-address routes. */
export function indexOrThrow(
  vault: Pick<Vault, "blindIndex">,
  channel: Channel,
  address: SuppressionAddress,
): string {
  const result = indexAddress(vault, channel, address);
  if (!result.ok) throw result.error;
  return result.index;
}

type Normalised = { ok: true; value: string } | { ok: false; code: PledgeError["code"]; detail: string };

function normalise(kind: "email" | "phone" | "postal", address: SuppressionAddress): Normalised {
  switch (kind) {
    case "email":
    case "phone": {
      if (typeof address !== "string") {
        return { ok: false, code: "PLEDGE_VALIDATION_FAILED", detail: `a ${kind} address is a string` };
      }
      return kind === "email" ? normaliseEmail(address) : normalisePhone(address);
    }
    case "postal": {
      if (typeof address === "string") {
        return {
          ok: false,
          code: "PLEDGE_VALIDATION_FAILED",
          detail: "a postal address is an object of its parts",
        };
      }
      const postal = normalisePostal(address);
      return postal.ok ? { ok: true, value: postal.value.canonical } : postal;
    }
    default: {
      const never: never = kind;
      throw new Error(`unknown kind ${String(never)}`);
    }
  }
}
