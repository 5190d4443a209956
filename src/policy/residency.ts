import type { PolicyPack } from "./schema.ts";

/** ZM-11: a pack that allows only some regions refuses a deployment anywhere else. */
export function residencyProblem(pack: PolicyPack, region: string): string | null {
  const residency = pack.residency;
  if (residency === undefined || residency.regions.includes(region)) return null;
  return (
    `refusing to start: the ${pack.company} policy ${pack.version} (clause ${residency.clauses.join(", ")}) ` +
    `allows data to be stored and processed only in ${residency.regions.join(", ")}, ` +
    `and this deployment's PLEDGE_REGION is ${region}`
  );
}
