/**
 * A depth-first walk over a parsed JSON value that needs no call stack of its own: a body nested
 * thousands of levels deep is answered, not a stack overflow. It visits every object key, string
 * and integer (as its decimal text) in document order, and stops at the first one `test` is true
 * for, or at the first container deeper than `maxDepth`.
 */
export type JsonFinding =
  | { readonly kind: "value"; readonly path: string }
  /** `path` is the object holding the key: a key is never repeated in a path. */
  | { readonly kind: "key"; readonly path: string }
  | { readonly kind: "too_deep" };

export function findInJson(
  root: unknown,
  test: (text: string) => boolean,
  maxDepth = Number.POSITIVE_INFINITY,
): JsonFinding | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: "", depth: 0 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value, path, depth } = next;
    if (typeof value === "string") {
      if (test(value)) return { kind: "value", path };
      continue;
    }
    if (typeof value === "number") {
      if (Number.isInteger(value) && test(String(value))) return { kind: "value", path };
      continue;
    }
    if (typeof value === "bigint") {
      if (test(value.toString())) return { kind: "value", path };
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    if (depth >= maxDepth) return { kind: "too_deep" };
    const children: { value: unknown; path: string; depth: number }[] = [];
    if (Array.isArray(value)) {
      value.forEach((item, i) => children.push({ value: item, path: `${path}/${i}`, depth: depth + 1 }));
    } else {
      for (const [key, item] of Object.entries(value)) {
        if (test(key)) return { kind: "key", path };
        children.push({ value: item, path: `${path}/${pointerSegment(key)}`, depth: depth + 1 });
      }
    }
    // Pushed last-first, so the first child is taken next: document order.
    for (let i = children.length - 1; i >= 0; i -= 1) stack.push(children[i]!);
  }
  return null;
}

/** A key as one JSON Pointer segment (RFC 6901): `~` → `~0`, `/` → `~1`. */
function pointerSegment(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}
