import { randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import type { AuditEvent } from "../../audit/audit.events.ts";
import type { ConsentState, Permission } from "../../gate/types.ts";
import { PledgeError } from "../../errors.ts";
import type { Channel, PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import "./consent.events.ts";
import type {
  ConsentContext,
  ConsentEvent,
  ConsentInput,
  ConsentSource,
  Evidence,
  Preferences,
} from "./consent.ts";
import { markPeopleStale } from "../../use/kept.ts";
import * as repo from "./consent.repository.ts";
import { auditActor } from "../../use/acting.ts";
import type { UseScope } from "../../use/kernel.ts";
import { checkTarget, gpcScopes, marketingTargetsOn } from "./consent.targets.ts";

/**
 * Consent use cases. Every append writes the ledger event, the derived state the gate reads and
 * an audit event in one transaction: a decision never sees a consent the ledger does not hold, or
 * the reverse. `pack` is the version in force at `ctx.now`; its version is stamped on each event.
 * An unknown subject is PLEDGE_NOT_FOUND; an unknown target is refused before anything is written.
 */
type Db = Kysely<Database>;

/** Appends one event. */
export async function recordConsent(
  db: Db,
  pack: PolicyPack,
  subjectId: string,
  input: ConsentInput,
  ctx: ConsentContext,
): Promise<ConsentEvent> {
  const [event] = await recordConsents(db, pack, subjectId, [input], ctx);
  return event as ConsentEvent;
}

/** Appends several events atomically, in order: all of them or none. */
export async function recordConsents(
  db: Db,
  pack: PolicyPack,
  subjectId: string,
  inputs: readonly ConsentInput[],
  ctx: ConsentContext,
): Promise<ConsentEvent[]> {
  for (const input of inputs) checkTarget(pack, input);
  return db.transaction().execute((trx) => recordConsentsIn(trx, pack, subjectId, inputs, ctx));
}

/** `recordConsents` inside the caller's transaction, which commits or rolls back the events with the rest. */
export async function recordConsentsIn(
  trx: Transaction<Database>,
  pack: PolicyPack,
  subjectId: string,
  inputs: readonly ConsentInput[],
  ctx: ConsentContext,
): Promise<ConsentEvent[]> {
  for (const input of inputs) checkTarget(pack, input);
  await lockOrNotFound(trx, subjectId);
  return stale(trx, subjectId, await append(trx, pack, subjectId, inputs, ctx));
}

/** Events appended outside a use: the person's kept audiences are read live until refreshed (src/use/kept.ts). */
async function stale(
  trx: Transaction<Database>,
  subjectId: string,
  events: ConsentEvent[],
): Promise<ConsentEvent[]> {
  if (events.length > 0) await markPeopleStale(trx, [subjectId]);
  return events;
}

/**
 * ZM-06: stops marketing on one channel for every marketing purpose and topic that uses it, in
 * one transaction. Idempotent: targets already withdrawn or objected on the channel get no new
 * event, so a second call returns [] and changes nothing.
 */
export async function stopChannel(
  db: Db,
  pack: PolicyPack,
  subjectId: string,
  channel: Channel,
  how: { source: ConsentSource; evidence?: Evidence },
  ctx: ConsentContext,
): Promise<ConsentEvent[]> {
  return db.transaction().execute((trx) => stopChannelIn(trx, pack, subjectId, channel, how, ctx));
}

/** `stopChannel` inside the caller's transaction. */
export async function stopChannelIn(
  trx: Transaction<Database>,
  pack: PolicyPack,
  subjectId: string,
  channel: Channel,
  how: { source: ConsentSource; evidence?: Evidence },
  ctx: ConsentContext,
): Promise<ConsentEvent[]> {
  await lockOrNotFound(trx, subjectId);
  const { consents } = await repo.preferences(trx, subjectId);
  // The state on the channel: its own row wins over the every-channel ('') row, as in the gate.
  const stateOn = (scope: string): ConsentState | undefined =>
    (
      consents.find((c) => c.scope === scope && c.channel === channel) ??
      consents.find((c) => c.scope === scope && c.channel === "")
    )?.state;
  const inputs: ConsentInput[] = marketingTargetsOn(pack, channel)
    .filter((t) => {
      const state = stateOn(t.id);
      return state !== "withdrawn" && state !== "objected";
    })
    .map((t) => ({ targetKind: t.kind, target: t.id, channel, action: "withdrawn", ...how }));
  return stale(trx, subjectId, await append(trx, pack, subjectId, inputs, ctx));
}

/**
 * A Global Privacy Control signal (`Sec-GPC: 1`): an opt-out of sale (the sale permission is
 * withdrawn) and of sharing with parties outside the company (their sharing scopes are stopped),
 * recorded with source `gpc`. Only what is not already stopped gets an event, so a browser that
 * sends the signal on every request does not grow the ledger. The person's first signal is
 * recorded even when it has nothing left to stop (they had opted out already), as one withdrawal
 * of sale that changes no state: the ledger then holds when the signal was first honoured, which
 * the person is shown (11 CCR 7025(c)(6)).
 */
export async function recordGpcSignal(
  db: Db,
  pack: PolicyPack,
  subjectId: string,
  ctx: ConsentContext,
  evidence: Evidence = {},
): Promise<ConsentEvent[]> {
  return db.transaction().execute(async (trx) => {
    await lockOrNotFound(trx, subjectId);
    const state = await repo.preferences(trx, subjectId);
    const inputs: ConsentInput[] = [];
    if (state.permissions.includes("sale")) {
      inputs.push({ targetKind: "permission", target: "sale", action: "withdrawn", source: "gpc", evidence });
    }
    for (const scope of gpcScopes(pack)) {
      if (!state.optOuts.includes(scope)) {
        inputs.push({ targetKind: "sharing", target: scope, action: "withdrawn", source: "gpc", evidence });
      }
    }
    if (inputs.length === 0 && (await repo.firstGpcAt(trx, subjectId)) === null) {
      inputs.push({ targetKind: "permission", target: "sale", action: "withdrawn", source: "gpc", evidence });
    }
    return stale(trx, subjectId, await append(trx, pack, subjectId, inputs, ctx));
  });
}

/**
 * One page of the subject's ledger, oldest first, read by a use of their record (the caller's
 * transaction); the `consent.read` event is recorded with the use.
 */
export async function consentHistoryIn(
  scope: UseScope,
  subjectId: string,
  page: { limit: number; after: { at: Date; eventId: string } | null },
): Promise<ConsentEvent[]> {
  const events = await repo.history(scope.trx, subjectId, page.limit, page.after);
  scope.record(readEvent(subjectId, "history", events.length, scope));
  return events;
}

/** The derived state the gate reads, by a use of the person's record; recorded with the use. */
export async function preferencesIn(scope: UseScope, subjectId: string): Promise<Preferences> {
  const prefs = await repo.preferences(scope.trx, subjectId);
  const count = prefs.consents.length + prefs.optOuts.length + prefs.permissions.length;
  scope.record(readEvent(subjectId, "preferences", count, scope));
  return prefs;
}

async function lockOrNotFound(trx: Transaction<Database>, subjectId: string): Promise<void> {
  if (!(await repo.lockSubject(trx, subjectId))) throw new PledgeError("PLEDGE_NOT_FOUND", "no such subject");
}

/**
 * `recordConsentsIn` as the work of a use that locked the person's row (`lock: true`): the audit
 * events are recorded with the use, which appends them with its decision in one move of the
 * chain's head.
 */
export async function recordConsentsInUse(
  scope: UseScope,
  subjectId: string,
  inputs: readonly ConsentInput[],
  ctx: ConsentContext,
): Promise<ConsentEvent[]> {
  for (const input of inputs) checkTarget(scope.pack, input);
  return append(scope.trx, scope.pack, subjectId, inputs, ctx, (events) => scope.record(...events));
}

/** Ledger rows, derived state and audit events for already checked inputs, in the caller's transaction. */
async function append(
  trx: Transaction<Database>,
  pack: PolicyPack,
  subjectId: string,
  inputs: readonly ConsentInput[],
  ctx: ConsentContext,
  audit: (events: AuditEvent[]) => unknown = (events) => appendAudit(trx, events),
): Promise<ConsentEvent[]> {
  const events: ConsentEvent[] = inputs.map((input) => ({
    subjectId,
    eventId: randomUUID(),
    targetKind: input.targetKind,
    target: input.target,
    channel: input.channel ?? "",
    action: input.action,
    source: input.source,
    policyVersion: pack.version,
    at: ctx.now,
    actor: ctx.actor,
    evidence: input.evidence ?? {},
  }));
  await repo.insertEvents(trx, events);
  for (const e of events) await applyEvent(trx, e);
  await audit(events.map((e) => recordedEvent(e)));
  return events;
}

async function applyEvent(trx: Transaction<Database>, e: ConsentEvent): Promise<void> {
  const stops = e.action !== "granted";
  switch (e.targetKind) {
    case "purpose":
    case "topic":
      return repo.setConsentState(trx, e.subjectId, e.target, e.channel, e.action, e.at);
    case "sharing":
      return repo.setOptOut(trx, e.subjectId, e.target, stops, e.at);
    case "permission":
      return repo.setPermission(trx, e.subjectId, e.target as Permission, !stops, e.at);
    default: {
      const never: never = e.targetKind;
      throw new Error(`unknown target kind ${String(never)}`);
    }
  }
}

function recordedEvent(e: ConsentEvent): AuditEvent {
  return {
    type: "consent.recorded",
    at: e.at,
    actor: e.actor,
    subjectId: e.subjectId,
    payload: {
      eventId: e.eventId,
      targetKind: e.targetKind,
      target: e.target,
      channel: e.channel,
      action: e.action,
      source: e.source,
      policyVersion: e.policyVersion,
    },
  };
}

function readEvent(
  subjectId: string,
  what: "history" | "preferences",
  count: number,
  scope: UseScope,
): AuditEvent {
  return {
    type: "consent.read",
    at: scope.now,
    actor: auditActor(scope.acting.actor),
    subjectId,
    payload: { what, count },
  };
}
