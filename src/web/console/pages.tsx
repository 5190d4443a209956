import type { ReactNode } from "react";
import { LEGAL_ROLES } from "../../modules/legal/legal.ts";
import { Audit } from "./pages/Audit.tsx";
import { Campaigns } from "./pages/Campaigns.tsx";
import { Disclosures } from "./pages/Disclosures.tsx";
import { FraudHolds } from "./pages/FraudHolds.tsx";
import { Legal } from "./pages/Legal.tsx";
import { People } from "./pages/People.tsx";
import { Policy } from "./pages/Policy.tsx";
import { Requests } from "./pages/Requests.tsx";
import { Staff } from "./pages/Staff.tsx";
import { Suppression } from "./pages/Suppression.tsx";
import type { Me, PolicyInfo } from "./types.ts";

export interface PageProps {
  readonly me: Me;
  readonly policy: PolicyInfo;
  /** The whole path, for pages with parts of their own (/console/requests/<id>). */
  readonly path: string;
}

export interface ConsolePage {
  readonly path: string;
  readonly title: string;
  readonly admin?: boolean;
  /** The roles besides admin the page is for: those its routes take (the API refuses the others). */
  readonly roles?: readonly string[];
  readonly render: (props: PageProps) => ReactNode;
}

/**
 * The console's pages, in the order of the navigation. A page answers its path and every path
 * under it; `admin` pages are listed and shown to administrators only, pages with `roles` to those
 * roles and administrators (the API refuses the others all the same).
 */
export const PAGES: readonly ConsolePage[] = [
  { path: "/console/people", title: "Find a person", render: (p) => <People {...p} /> },
  { path: "/console/requests", title: "Requests", render: (p) => <Requests {...p} /> },
  { path: "/console/campaigns", title: "Campaigns", render: (p) => <Campaigns {...p} /> },
  { path: "/console/disclosures", title: "Disclosures", render: (p) => <Disclosures {...p} /> },
  { path: "/console/fraud-holds", title: "Fraud holds", render: (p) => <FraudHolds {...p} /> },
  {
    path: "/console/legal",
    title: "Legal requests",
    roles: LEGAL_ROLES,
    render: (p) => <Legal {...p} />,
  },
  { path: "/console/suppression", title: "Do Not Send", render: (p) => <Suppression {...p} /> },
  { path: "/console/policy", title: "Policy", render: (p) => <Policy {...p} /> },
  { path: "/console/audit", title: "Audit log", admin: true, render: () => <Audit /> },
  { path: "/console/staff", title: "Staff and keys", admin: true, render: (p) => <Staff {...p} /> },
];

/** Whether a member of `role` is shown `page` in the navigation and may open it. */
export function mayOpen(page: ConsolePage, role: string): boolean {
  if (role === "admin") return true;
  if (page.admin === true) return false;
  return page.roles === undefined || page.roles.includes(role);
}

/** Who a page is for, in words, for a member whose role it is not. */
export function whoFor(page: ConsolePage): string {
  if (page.admin === true || page.roles === undefined) return "administrators";
  return `the ${page.roles.join(", ")} role and administrators`;
}
