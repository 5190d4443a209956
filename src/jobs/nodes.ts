import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Store } from "../store/store.ts";

/**
 * Which Pledge nodes are alive, for work they claimed. On PostgreSQL each node holds a
 * session-level advisory lock named after its id on a connection of its own for as long as it
 * runs; the database releases it the moment the node's connections drop (a crash, a kill -9), so
 * another node can tell "gone" from "busy" exactly, with no lease to wait out. The embedded store
 * is opened by one process at a time: every node but this one is gone.
 */
export interface NodeLiveness {
  readonly nodeId: string;
  isGone(nodeId: string | null): Promise<boolean>;
  close(): Promise<void>;
}

export async function startNode(store: Store): Promise<NodeLiveness> {
  const nodeId = randomUUID();
  if (store.kind === "pglite") {
    return { nodeId, isGone: async (id) => id !== nodeId, close: async () => undefined };
  }
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked!: () => void;
  let failed!: (error: unknown) => void;
  const holding = new Promise<void>((resolve, reject) => {
    locked = resolve;
    failed = reject;
  });
  const held = store.db
    .connection()
    .execute(async (conn) => {
      await sql`select pg_advisory_lock(hashtextextended(${nodeId}, 0))`.execute(conn);
      locked();
      await released;
      await sql`select pg_advisory_unlock(hashtextextended(${nodeId}, 0))`.execute(conn);
    })
    .catch((error: unknown) => failed(error));
  await holding;
  return {
    nodeId,
    async isGone(id) {
      if (id === nodeId) return false;
      if (id === null) return true;
      return store.db.connection().execute(async (conn) => {
        const { rows } = await sql<{ got: boolean }>`
          select pg_try_advisory_lock(hashtextextended(${id}, 0)) as got`.execute(conn);
        const got = rows[0]?.got === true;
        if (got) await sql`select pg_advisory_unlock(hashtextextended(${id}, 0))`.execute(conn);
        return got;
      });
    },
    async close() {
      release();
      await held;
    },
  };
}
