import { createHash } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../store/database.ts";
import { agentOfToken, claimEnvelope, forgetExpiredEnvelopes } from "./drp.repository.ts";
import type { Agent } from "./drp.ts";

type Db = Kysely<Database>;

/**
 * Which agent a bearer token belongs to. A token found is remembered for `ttlMs`, so an agent
 * sending a burst costs one query per interval, not per request; `forget` drops everything this
 * node remembers and is called when an agent is disabled or sets up a new token here. Another node
 * may take a disabled agent's token for up to `ttlMs` more.
 */
export class AgentTokens {
  private readonly found = new Map<string, { agent: Agent; until: number }>();

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
    private readonly ttlMs = 5_000,
    private readonly max = 1_000,
  ) {}

  /** The active agent of an `Authorization: Bearer <token>` header; null for none. */
  async agentOf(authorization: string | undefined): Promise<Agent | null> {
    const match = /^Bearer\s+(\S{1,200})$/i.exec(authorization ?? "");
    if (match === null) return null;
    const hash = tokenHash(match[1]!);
    const hit = this.found.get(hash);
    if (hit !== undefined && hit.until > this.now()) return hit.agent;
    const agent = await agentOfToken(this.db, hash);
    if (agent === null) {
      this.found.delete(hash);
      return null;
    }
    if (this.found.size >= this.max) this.found.clear();
    this.found.set(hash, { agent, until: this.now() + this.ttlMs });
    return agent;
  }

  forget(): void {
    this.found.clear();
  }
}

/** The hex SHA-256 of a token: all the store keeps of it. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * The replay guard: each accepted exercise envelope is claimed once, in the transaction that
 * takes its request (a claim rolled back with it leaves the envelope usable). Expired envelopes
 * are forgotten at most once per `purgeEveryMs`, not on every claim, in the same transaction.
 */
export class ReplayGuard {
  private purgedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly purgeEveryMs = 60_000) {}

  async claim(
    trx: Transaction<Database>,
    envelope: { digest: string; agentId: string; expiresAt: Date },
    now: Date,
  ): Promise<boolean> {
    if (now.getTime() - this.purgedAt >= this.purgeEveryMs) {
      this.purgedAt = now.getTime();
      await forgetExpiredEnvelopes(trx, now);
    }
    return claimEnvelope(trx, envelope);
  }
}
