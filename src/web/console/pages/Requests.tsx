import type { PageProps } from "../pages.tsx";
import { RequestPage } from "./requests/Detail.tsx";
import { Queue } from "./requests/Queue.tsx";

const ONE = /^\/console\/requests\/([0-9a-f-]{36})$/i;

/**
 * The rights-requests queue (/console/requests) and one request (/console/requests/<id>): only
 * ids travel in the address bar, never a personal value.
 */
export function Requests(props: PageProps) {
  const id = ONE.exec(props.path)?.[1];
  if (id !== undefined) return <RequestPage key={id} {...props} id={id} />;
  return <Queue {...props} />;
}
