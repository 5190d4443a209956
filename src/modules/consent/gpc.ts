import type { Kysely, Transaction } from "kysely";
import type { PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import type { ConsentContext, ConsentEvent, Evidence, Preferences } from "./consent.ts";
import * as repo from "./consent.repository.ts";
import { recordGpcSignal } from "./consent.service.ts";
import { gpcScopes } from "./consent.targets.ts";

/**
 * Global Privacy Control on a person's record (docs/gpc.md). A signal opts the person out of sale
 * and of sharing with parties outside the company (`recordGpcSignal`); whether that opt-out is in
 * force is read from the derived state, and when the signal was first honoured from the ledger.
 */

export interface GpcStatus {
  /** A signal is on file and the opt-out it asked for is in force now. */
  readonly honoured: boolean;
  /** When the person's first signal was recorded; null if none was. */
  readonly at: Date | null;
}

/** The person's consent choices and their GPC status, as they see them. */
export interface OwnConsents {
  readonly preferences: Preferences;
  readonly gpc: GpcStatus;
}

/** The opt-out a signal asks for is in force: no sale permission, every outside sharing scope stopped. */
export function gpcOptOutInForce(pack: PolicyPack, prefs: Preferences): boolean {
  return !prefs.permissions.includes("sale") && gpcScopes(pack).every((s) => prefs.optOuts.includes(s));
}

/**
 * Honours a signal sent by a signed-in person. Cheap once honoured: a signal already on file with
 * its opt-out in force costs two reads and no write transaction, so a browser sending the header
 * on every request is not a write per request. Otherwise `recordGpcSignal` decides again under
 * the subject's lock, so two requests racing record the events once.
 */
export async function honourGpcSignal(
  db: Kysely<Database>,
  pack: PolicyPack,
  subjectId: string,
  ctx: ConsentContext,
  evidence: Evidence = {},
): Promise<ConsentEvent[]> {
  const [prefs, first] = await Promise.all([repo.preferences(db, subjectId), repo.firstGpcAt(db, subjectId)]);
  if (first !== null && gpcOptOutInForce(pack, prefs)) return [];
  return recordGpcSignal(db, pack, subjectId, ctx, evidence);
}

/** The person's GPC status, given the preferences just read in the same transaction. */
export async function gpcStatusIn(
  trx: Transaction<Database>,
  pack: PolicyPack,
  subjectId: string,
  prefs: Preferences,
): Promise<GpcStatus> {
  const at = await repo.firstGpcAt(trx, subjectId);
  return { honoured: at !== null && gpcOptOutInForce(pack, prefs), at };
}
