import type { ReactNode } from "react";
import { Audit } from "./pages/Audit.tsx";
import { Disclosures } from "./pages/Disclosures.tsx";
import { People } from "./pages/People.tsx";
import { Policy } from "./pages/Policy.tsx";
import type { Me, PolicyInfo } from "./types.ts";

export interface PageProps {
  readonly me: Me;
  readonly policy: PolicyInfo;
  /** The whole path, for pages with parts of their own (/console/requests/<id>). */
  readonly path: string;
}

/**
 * The console's pages, in the order of the navigation. A page answers its path and every path
 * under it; `admin` pages are listed and shown to administrators only (the API refuses the
 * others all the same).
 */
export const PAGES: readonly {
  readonly path: string;
  readonly title: string;
  readonly admin?: boolean;
  readonly render: (props: PageProps) => ReactNode;
}[] = [
  { path: "/console/people", title: "Find a person", render: (p) => <People {...p} /> },
  { path: "/console/disclosures", title: "Disclosures", render: (p) => <Disclosures {...p} /> },
  { path: "/console/policy", title: "Policy", render: (p) => <Policy {...p} /> },
  { path: "/console/audit", title: "Audit log", admin: true, render: () => <Audit /> },
];
