import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from "yaml";
import type { PathSegment } from "./errors.ts";

/**
 * Maps a path inside the parsed pack back to a line and column of the YAML source. The parsed
 * pack mirrors the document's structure (zod keeps array order; defaults only add keys), so a
 * path into the pack is a path into the document.
 */

export interface Position {
  readonly line: number;
  readonly column: number;
}

export type Locate = (path: readonly PathSegment[], target?: "value" | "key") => Position;

export function locator(doc: Document, counter: LineCounter): Locate {
  const at = (offset: number): Position => {
    const { line, col } = counter.linePos(offset);
    return { line, column: col };
  };
  return (path, target = "value") => {
    // Walk as far as the document goes: a missing key is reported at the map that lacks it.
    let node: unknown = doc.contents;
    let keyNode: Node | null = null;
    for (const seg of path) {
      const next = child(node, seg);
      if (next === undefined) break;
      node = next.value;
      keyNode = next.key;
    }
    if (target === "key" && keyNode?.range) return at(keyNode.range[0]);
    const range = (node as Node | null)?.range;
    if (range) return at(range[0]);
    if (keyNode?.range) return at(keyNode.range[0]);
    return { line: 1, column: 1 };
  };
}

function child(node: unknown, seg: PathSegment): { value: unknown; key: Node | null } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = pair.key;
      const name = isScalar(key) ? String(key.value) : String(key);
      if (name === String(seg)) return { value: pair.value ?? key, key: key as Node };
    }
    return undefined;
  }
  if (isSeq(node) && typeof seg === "number") {
    const item = node.items[seg];
    return item === undefined ? undefined : { value: item, key: null };
  }
  return undefined;
}
