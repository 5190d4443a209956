/**
 * Errors of the vault and the key files. They are failures of infrastructure or configuration
 * (a key missing, a ciphertext damaged or moved), not refusals: the HTTP layer answers them as
 * internal errors. Messages name key versions, files, variables and subject ids; never plaintext,
 * never key material.
 */
export type VaultErrorCode =
  /** The text is not a ciphertext made for this subject and field (damaged, moved or forged). */
  | "PLEDGE_CIPHERTEXT_INVALID"
  /** A master key version named by a wrapped data key is not in the keyring. */
  | "PLEDGE_KEY_MISSING"
  /** A key (variable or file) is malformed, or a key file is open to group or others. */
  | "PLEDGE_KEY_INVALID";

export class VaultError extends Error {
  constructor(
    readonly code: VaultErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = "VaultError";
  }
}

/**
 * Refusals of submitted values. These ARE expected: normalisers return them as values, and the
 * HTTP error catalogue (src/http/errors.ts) maps each code to 400.
 */
export const INPUT_ERROR_CODES = [
  "PLEDGE_INVALID_EMAIL",
  "PLEDGE_INVALID_PHONE",
  "PLEDGE_INVALID_POSTAL_CODE",
  "PLEDGE_INVALID_POSTAL_ADDRESS",
  "PLEDGE_CARD_NUMBER_REFUSED",
] as const;
export type InputErrorCode = (typeof INPUT_ERROR_CODES)[number];

/** The outcome of a normaliser: the normalised value, or why the input was refused (no echo of it). */
export type Normalised<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: InputErrorCode; readonly detail: string };

export const accept = <T>(value: T): Normalised<T> => ({ ok: true, value });
export const refuse = <T>(code: InputErrorCode, detail: string): Normalised<T> => ({
  ok: false,
  code,
  detail,
});
