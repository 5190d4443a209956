/** Dates as people read them ("6 Dec 2026"), in the browser's language. */
export function day(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
}

/** Where a datum was collected, in words (collection points: src/modules/customers, requests). */
export function collectionPoint(point: string): string {
  if (point === "web.signup") return "when you signed up";
  if (point === "web.account") return "when you changed it here";
  if (point.startsWith("request.")) return "from a request you made";
  if (point.startsWith("import")) return "imported from our records";
  return point;
}
