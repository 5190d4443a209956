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

/** A value waiting to be visited, and how it was reached (its path is spelt out only on a finding). */
interface Place {
  readonly value: unknown;
  readonly parent: Place | null;
  /** The key or index that leads from `parent` to `value`. */
  readonly step: string | number;
  readonly depth: number;
}

export function findInJson(
  root: unknown,
  test: (text: string) => boolean,
  maxDepth = Number.POSITIVE_INFINITY,
): JsonFinding | null {
  const stack: Place[] = [{ value: root, parent: null, step: "", depth: 0 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value, depth } = next;
    if (typeof value === "string") {
      if (test(value)) return { kind: "value", path: pathOf(next) };
      continue;
    }
    if (typeof value === "number") {
      if (Number.isInteger(value) && test(String(value))) return { kind: "value", path: pathOf(next) };
      continue;
    }
    if (typeof value === "bigint") {
      if (test(value.toString())) return { kind: "value", path: pathOf(next) };
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    if (depth >= maxDepth) return { kind: "too_deep" };
    // Pushed last-first, so the first child is taken next: document order. Keys are tested
    // before any child is visited, in order, as the first key found must be the one reported.
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i -= 1) {
        stack.push({ value: value[i], parent: next, step: i, depth: depth + 1 });
      }
    } else {
      const keys = Object.keys(value);
      for (const key of keys) if (test(key)) return { kind: "key", path: pathOf(next) };
      const object = value as Record<string, unknown>;
      for (let i = keys.length - 1; i >= 0; i -= 1) {
        const key = keys[i]!;
        stack.push({ value: object[key], parent: next, step: key, depth: depth + 1 });
      }
    }
  }
  return null;
}

/** The JSON Pointer (RFC 6901) of `place`: "" for the root. */
function pathOf(place: Place): string {
  const steps: string[] = [];
  for (let at: Place | null = place; at !== null && at.parent !== null; at = at.parent) {
    steps.push(typeof at.step === "number" ? String(at.step) : pointerSegment(at.step));
  }
  return steps
    .reverse()
    .map((s) => `/${s}`)
    .join("");
}

/** A key as one JSON Pointer segment (RFC 6901): `~` → `~0`, `/` → `~1`. */
function pointerSegment(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}
