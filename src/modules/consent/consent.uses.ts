import type { Channel } from "../../policy/schema.ts";
import { auditActor, type Acting } from "../../use/acting.ts";
import { use, type UseDeps, type UseScope } from "../../use/kernel.ts";
import { ok, type Result } from "../../use/refusal.ts";
import type { ConsentEvent, ConsentInput, ConsentSource, Evidence, Preferences } from "./consent.ts";
import { consentHistoryIn, preferencesIn, recordConsentsInUse, stopChannelIn } from "./consent.service.ts";
import { checkTarget } from "./consent.targets.ts";
import { gpcStatusIn, type OwnConsents } from "./gpc.ts";
import { usnatString, type GppAnswer } from "./gpp.ts";

/**
 * The consent ledger used by someone other than the person: staff recording a choice the person
 * made by phone or post, reading the history or the current choices. Each is a use of the person's
 * record for a stated purpose, so the staff member's role must hold that purpose and their
 * attestation be on file (ZZ-04); a purpose used only in aggregate records nothing for anyone
 * (an analyst records no consent, PS-03). A write is a `collect` of no field: the choice itself
 * is the ledger's, not the record's.
 */
export async function recordConsentFor(
  deps: UseDeps,
  acting: Acting,
  subjectId: string,
  purpose: string,
  input: ConsentInput,
): Promise<Result<ConsentEvent>> {
  // An unknown target is a malformed request: refused before anything is written.
  checkTarget(deps.policies.at(deps.clock().toISOString()).pack, input);
  const ask = { action: "collect", purpose, fields: [] } as const;
  return use(
    deps,
    acting,
    { subject: subjectId },
    ask,
    async (scope) => {
      const ctx = { actor: auditActor(acting.actor), now: scope.now };
      const [event] = await recordConsentsInUse(scope, subjectId, [input], ctx);
      return ok(event as ConsentEvent);
    },
    { lock: true },
  );
}

/** ZM-06 on the person's behalf: every marketing purpose and topic on the channel stops. */
export async function stopChannelFor(
  deps: UseDeps,
  acting: Acting,
  subjectId: string,
  purpose: string,
  channel: Channel,
  how: { source: ConsentSource; evidence?: Evidence },
): Promise<Result<ConsentEvent[]>> {
  const ask = { action: "collect", purpose, fields: [] } as const;
  return use(
    deps,
    acting,
    { subject: subjectId },
    ask,
    async (scope) => {
      const ctx = { actor: auditActor(acting.actor), now: scope.now };
      return ok(await stopChannelIn(scope.trx, scope.pack, subjectId, channel, how, ctx));
    },
    { lock: true },
  );
}

export async function consentHistoryFor(
  deps: UseDeps,
  acting: Acting,
  subjectId: string,
  purpose: string,
  page: { limit: number; after: { at: Date; eventId: string } | null },
): Promise<Result<ConsentEvent[]>> {
  const ask = { action: "read", purpose, fields: [] } as const;
  return use(deps, acting, { subject: subjectId }, ask, async (scope) =>
    ok(await consentHistoryIn(scope, subjectId, page)),
  );
}

export async function preferencesFor(
  deps: UseDeps,
  acting: Acting,
  subjectId: string,
  purpose: string,
): Promise<Result<Preferences>> {
  const ask = { action: "read", purpose, fields: [] } as const;
  return use(deps, acting, { subject: subjectId }, ask, async (scope) =>
    ok(await preferencesIn(scope, subjectId)),
  );
}

/**
 * The person's own view of their choices: the preferences and whether their Global Privacy
 * Control signal is honoured, read in one use (one decision, one `consent.read` event).
 */
export async function ownConsentsFor(
  deps: UseDeps,
  acting: Acting,
  subjectId: string,
  purpose: string,
): Promise<Result<OwnConsents>> {
  const ask = { action: "read", purpose, fields: [] } as const;
  return use(deps, acting, { subject: subjectId }, ask, async (scope) =>
    ok(await ownConsentsIn(scope, subjectId)),
  );
}

/** The same read, answered as the person's IAB GPP string (usnat) under the pack in force. */
export async function ownGppFor(
  deps: UseDeps,
  acting: Acting,
  subjectId: string,
  purpose: string,
): Promise<Result<GppAnswer>> {
  const ask = { action: "read", purpose, fields: [] } as const;
  return use(deps, acting, { subject: subjectId }, ask, async (scope) =>
    ok(usnatString(scope.pack, await ownConsentsIn(scope, subjectId))),
  );
}

async function ownConsentsIn(scope: UseScope, subjectId: string): Promise<OwnConsents> {
  const preferences = await preferencesIn(scope, subjectId);
  return { preferences, gpc: await gpcStatusIn(scope.trx, scope.pack, subjectId, preferences) };
}
