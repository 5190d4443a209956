import type { SubjectCipher } from "../crypto/vault.types.ts";
import type { Decision } from "../gate/types.ts";

/**
 * What the work of a use may reach: the subject's cipher, narrowed to the fields the decision
 * allowed. Every decryption and encryption names the pack field it touches; one outside the
 * decision is a bug in the calling module, not a refusal, and throws before any value is opened.
 * `label` is the cipher's associated data (a row-specific name, e.g. one address's id) when it is
 * not the field itself.
 */
export interface FieldView {
  readonly subjectId: string;
  /**
   * True only for the person's own access export (ALL-04): everything held about them, the parts
   * of the record that are no pack field (birth date, consent history, the ledger) included.
   */
  readonly whole: boolean;
  /** Whether the decision lets the work touch this pack field. */
  allows(field: string): boolean;
  open(field: string, ciphertext: string, label?: string): string;
  seal(field: string, plaintext: string, label?: string): string;
}

export class OutsideTheDecision extends Error {
  constructor(field: string) {
    super(`field ${field} is outside the decision of this use`);
    this.name = "OutsideTheDecision";
  }
}

export function fieldView(cipher: SubjectCipher, allowed: ReadonlySet<string> | "whole"): FieldView {
  const allows = (field: string) => allowed === "whole" || allowed.has(field);
  const check = (field: string) => {
    if (!allows(field)) throw new OutsideTheDecision(field);
  };
  return {
    subjectId: cipher.subjectId,
    whole: allowed === "whole",
    allows,
    open(field, ciphertext, label = field) {
      check(field);
      return cipher.decrypt(label, ciphertext);
    },
    seal(field, plaintext, label = field) {
      check(field);
      return cipher.encrypt(label, plaintext);
    },
  };
}

/** The view of a decision: exactly its allowed fields. */
export function viewOf(cipher: SubjectCipher, decision: Decision): FieldView {
  return fieldView(cipher, new Set(decision.fields));
}
