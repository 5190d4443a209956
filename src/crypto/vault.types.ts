import type { Kysely, Transaction } from "kysely";
import type { Database } from "../store/database.ts";
import type { BlindIndexKind } from "./blind-index.ts";

export type { BlindIndexKind };

/**
 * Envelope encryption of personal fields. Each subject has one data key (AES-256-GCM), stored only
 * wrapped by a master key version; personal fields are stored as ciphertext bound to the subject
 * and the field name (associated data), so a value copied to another row or field fails to open.
 * Erasure destroys the subject's data key: every copy of its ciphertext, backups included, becomes
 * unreadable (crypto-shredding).
 */
export interface SubjectCipher {
  readonly subjectId: string;
  /**
   * Ciphertext text for storage: `v1.<iv>.<ciphertext+tag>` (base64url parts; see docs/encryption.md).
   * The master key version is not in it: it wraps the data key, and is kept with the wrapped key.
   */
  encrypt(field: string, plaintext: string): string;
  /** Throws `VaultError` PLEDGE_CIPHERTEXT_INVALID when the text was not made for this subject and field. */
  decrypt(field: string, ciphertext: string): string;
}

export interface Vault {
  /** Creates the subject's data key, in the caller's transaction (with the subject row). */
  createSubjectKey(trx: Transaction<Database>, subjectId: string): Promise<SubjectCipher>;
  /** The subject's cipher; null when the key was destroyed (erased) or never existed. */
  cipherFor(db: Kysely<Database>, subjectId: string): Promise<SubjectCipher | null>;
  /**
   * The subject's cipher from its `subject_keys` row, read by the caller with other data (a page
   * of people joined to their keys): no query. A key in the cache is reused when its wrapped text
   * is the row's; a key unwrapped here is not added to the cache, so a bulk read does not evict
   * the keys of the subjects in daily use. Throws VaultError when the row does not unwrap.
   */
  cipherFromRow(row: SubjectKeyRow): SubjectCipher;
  /** Destroys the data key (crypto-shredding), in the caller's transaction. */
  destroySubjectKey(trx: Transaction<Database>, subjectId: string): Promise<void>;
  /** HMAC-SHA256 blind index of an already normalised value, with the separate index key. */
  blindIndex(kind: BlindIndexKind, normalised: string): string;
  /**
   * Seals a secret of Pledge's own (a staff member's second-factor key) under the current master
   * key, bound to `label` (what the secret is and whose). Returns the text and the key version,
   * which the caller keeps beside it.
   */
  sealSecret(label: string, plaintext: string): SealedSecret;
  /** Opens what `sealSecret` made; throws VaultError when the label or text do not match. */
  openSecret(label: string, sealed: SealedSecret): string;
}

export interface SealedSecret {
  readonly masterKeyId: string;
  readonly text: string;
}

/** The columns of a subject's `subject_keys` row that open its data key. */
export interface SubjectKeyRow {
  readonly subject_id: string;
  readonly master_key_id: string;
  readonly wrapped_key: string;
}

/** What a blind index is over: the normalised email, phone (E.164) or postal address. */
