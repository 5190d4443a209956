import type { PageProps } from "../pages.tsx";
import { LegalRequestPage } from "./legal/Detail.tsx";
import { Register } from "./legal/Register.tsx";
import { LegalList } from "./legal/List.tsx";
import { Transparency } from "./legal/Transparency.tsx";

const ONE = /^\/console\/legal\/([0-9a-f-]{36})$/i;

/**
 * The register of legal requests (docs/legal.md): the list (/console/legal), registering one
 * (/new), one request with its approvals and moves (/<id>), and the half-yearly transparency
 * report (/transparency). Only ids travel in the address bar.
 */
export function Legal(props: PageProps) {
  if (props.path === "/console/legal/new") return <Register />;
  if (props.path === "/console/legal/transparency") return <Transparency />;
  const id = ONE.exec(props.path)?.[1];
  if (id !== undefined) return <LegalRequestPage key={id} {...props} id={id} />;
  return <LegalList />;
}
