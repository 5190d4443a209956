import { sql, type Kysely } from "kysely";
import type { AuditEvent } from "../../src/audit/audit.events.ts";
import { appendAudit } from "../../src/audit/append.ts";
import { chainLayout } from "../../src/audit/chains.ts";
import { normalisePayload, type HashedFields } from "../../src/audit/hash.ts";
import type { Database } from "../../src/store/database.ts";
import { testOnCitus } from "../harness/store.ts";

/** A decision event about subject `n`, at a fixed time n seconds after 2026-01-01. */
export function decisionEvent(n: number): AuditEvent {
  return {
    type: "decision",
    at: new Date(Date.UTC(2026, 0, 1) + n * 1000),
    actor: `staff:${n % 3}`,
    subjectId: `subj-${n}`,
    payload: {
      outcome: n % 2 === 0 ? "allow" : "partial",
      purpose: "support.case",
      action: "read",
      recipient: null,
      clauses: ["PS-05", `PS-${n % 7}`],
      policy: { company: "zmailcloud", version: "2026-01" },
      fields: ["user.contact.email"],
      removed: n % 2 === 0 ? [] : ["user.contact.phone"],
    },
  };
}

/** Appends `count` decision events, one transaction each. */
export async function seedLog(db: Kysely<Database>, count: number): Promise<void> {
  for (let i = 1; i <= count; i++)
    await db.transaction().execute((trx) => appendAudit(trx, [decisionEvent(i)]));
}

/**
 * Runs raw SQL against the log as an attacker with table access would: the append-only trigger
 * is disabled for the duration.
 */
export async function tamper(db: Kysely<Database>, ...statements: ReturnType<typeof sql>[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (testOnCitus) await sql`set local citus.enable_unsafe_triggers to on`.execute(trx);
    await sql`alter table audit_log disable trigger user`.execute(trx);
    for (const s of statements) await s.execute(trx);
    await sql`alter table audit_log enable trigger user`.execute(trx);
  });
}

/** The hashed fields of an event, as `appendAudit` would hash them. */
export function hashedFields(event: AuditEvent): HashedFields {
  return { ...event, payload: normalisePayload(event.payload) };
}

/** The anchor of chain 1, where events about no person (and the test's `subj-n` ids) go. */
export async function firstAnchor(db: Kysely<Database>): Promise<string> {
  return (await chainLayout(db))[0]!.anchor;
}

/** A problem found in chain 1 names its chain only when the log has several (a Citus store). */
export const IN_CHAIN_1: { chain?: number } = testOnCitus ? { chain: 1 } : {};
