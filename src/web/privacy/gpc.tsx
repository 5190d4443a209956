import { day } from "../shared/format.ts";
import type { MyConsents } from "./types.ts";

/** Shown when the API says a Global Privacy Control signal of this person's is on file and honoured. */
export function GpcNotice({ gpc }: { gpc: MyConsents["gpc"] }) {
  if (!gpc.honoured) return null;
  return (
    <div className="alert alert-success" role="status">
      Your browser sent a Global Privacy Control signal
      {gpc.at === null ? "" : ` (first received ${day(gpc.at)})`}, and we honoured it: we do not sell or share
      your data.
    </div>
  );
}
