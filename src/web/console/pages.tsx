import type { ReactNode } from "react";
import { FRAUD_ROLES } from "../../modules/fraud/fraud.ts";
import { LEGAL_ROLES } from "../../modules/legal/legal.ts";
import { Audit } from "./pages/Audit.tsx";
import { Campaigns } from "./pages/Campaigns.tsx";
import { Disclosures } from "./pages/Disclosures.tsx";
import { FraudHolds } from "./pages/FraudHolds.tsx";
import { Legal } from "./pages/Legal.tsx";
import { People } from "./pages/People.tsx";
import { Policy } from "./pages/Policy.tsx";
import { Requests } from "./pages/Requests.tsx";
import { Retention } from "./pages/Retention.tsx";
import { mayReadStatistics, Statistics } from "./pages/Statistics.tsx";
import { Staff } from "./pages/Staff.tsx";
import { Suppression } from "./pages/Suppression.tsx";
import type { Me, PolicyInfo } from "./types.ts";

export interface PageProps {
  readonly me: Me;
  readonly policy: PolicyInfo;
  /** The whole path, for pages with parts of their own (/console/requests/<id>). */
  readonly path: string;
}

/**
 * The console's pages, in the order of the navigation. A page answers its path and every path
 * under it; `admin` pages are listed and shown to administrators only, and pages with `may` to
 * the members it accepts (the API refuses the others all the same).
 */
export interface ConsolePage {
  readonly path: string;
  readonly title: string;
  readonly admin?: boolean;
  /** Whether the member's role may use the page's routes, for pages open to some roles only. */
  readonly may?: (me: Me) => boolean;
  /** Who a page with `may` is for, in words ("the legal role and administrators"). */
  readonly whom?: string;
  readonly render: (props: PageProps) => ReactNode;
}

export const PAGES: readonly ConsolePage[] = [
  { path: "/console/people", title: "Find a person", render: (p) => <People {...p} /> },
  { path: "/console/requests", title: "Requests", render: (p) => <Requests {...p} /> },
  { path: "/console/campaigns", title: "Campaigns", render: (p) => <Campaigns {...p} /> },
  { path: "/console/disclosures", title: "Disclosures", render: (p) => <Disclosures {...p} /> },
  {
    path: "/console/fraud-holds",
    title: "Fraud holds",
    ...forRoles(FRAUD_ROLES),
    render: (p) => <FraudHolds {...p} />,
  },
  {
    path: "/console/statistics",
    title: "Site statistics",
    may: mayReadStatistics,
    whom: "roles with a site-statistics purpose and administrators",
    render: (p) => <Statistics {...p} />,
  },
  {
    path: "/console/legal",
    title: "Legal requests",
    ...forRoles(LEGAL_ROLES),
    render: (p) => <Legal {...p} />,
  },
  { path: "/console/suppression", title: "Do Not Send", render: (p) => <Suppression {...p} /> },
  { path: "/console/policy", title: "Policy", render: (p) => <Policy {...p} /> },
  { path: "/console/audit", title: "Audit log", admin: true, render: () => <Audit /> },
  { path: "/console/retention", title: "Retention", admin: true, render: () => <Retention /> },
  { path: "/console/staff", title: "Staff and keys", admin: true, render: (p) => <Staff {...p} /> },
];

/** Whether `me` may open `page`: listed in the navigation, and shown rather than refused. */
export function mayOpen(page: ConsolePage, me: Me): boolean {
  if (page.admin === true) return me.role === "admin";
  return page.may?.(me) ?? true;
}

/** `may` and `whom` for a page whose routes take administrators and `roles`. */
function forRoles(roles: readonly string[]): Pick<ConsolePage, "may" | "whom"> {
  return {
    may: (me) => me.role === "admin" || roles.includes(me.role),
    whom: `the ${roles.join(", ")} role${roles.length > 1 ? "s" : ""} and administrators`,
  };
}

/** Who a page is for, in words, for a member whose role it is not. */
export function whoFor(page: ConsolePage): string {
  if (page.admin === true) return "administrators";
  return page.whom ?? "other roles";
}
