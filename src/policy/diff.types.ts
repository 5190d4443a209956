/** The vocabulary of a diff between two versions of a pack (diff.ts, diff-blocks.ts). */
export const DIFF_AREAS = ["purpose", "category", "recipient", "topic", "clause", "rule"] as const;
export type DiffArea = (typeof DIFF_AREAS)[number];
export type ChangeKind = "added" | "removed" | "changed";

export interface PolicyChange {
  readonly area: DiffArea;
  /** The id of the purpose, category, ... or the name of the rule block (`sale`, `messages`, ...). */
  readonly id: string;
  readonly kind: ChangeKind;
  readonly detail: string;
  readonly material: boolean;
  /** Why the change is material; absent when it is not. */
  readonly why?: string;
}

/** Records one change found while comparing (diff-blocks.ts calls it for each). */
export type Note = (area: DiffArea, id: string, kind: ChangeKind, detail: string, why?: string) => void;
