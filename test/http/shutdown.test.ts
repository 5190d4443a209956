import path from "node:path";
import { describe, expect, it } from "vitest";
import { sql } from "kysely";
import type { AuditEvent, AuditRow } from "../../src/audit/audit.events.ts";
import { createAuditWriter, type AuditWriter } from "../../src/audit/writer.ts";
import { loadConfig } from "../../src/config.ts";
import { createApp } from "../../src/http/app.ts";
import { createKey, createStaff } from "../../src/modules/staff/staff.service.ts";
import { inForce, loadPolicyHistory } from "../../src/policy/history.ts";
import { POLICIES_DIR } from "../harness/app.ts";
import { freshStore } from "../harness/store.ts";

const IN_FLIGHT = 5;

describe("graceful shutdown", () => {
  it("close() waits for requests in flight; their decisions are in the audit log when it returns", async () => {
    const store = await freshStore();
    const policies = await loadPolicyHistory(path.join(POLICIES_DIR, "partstore"));
    const real = createAuditWriter(store.db);

    // Hold every append until the server has begun closing, so the requests are surely in flight.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let allArrived!: () => void;
    const arrived = new Promise<void>((r) => (allArrived = r));
    let seen = 0;
    const audit: AuditWriter = {
      async append(event: AuditEvent): Promise<AuditRow> {
        if (++seen === IN_FLIGHT) allArrived();
        await released;
        return real.append(event);
      },
      flush: () => real.flush(),
      close: () => real.close(),
    };

    const config = loadConfig({ LOG_LEVEL: "silent", PLEDGE_POLICIES_DIR: POLICIES_DIR });
    const app = await createApp({ config, store, policies, audit, clock: () => new Date() });
    const now = new Date();
    const staff = await createStaff(
      store.db,
      inForce(policies, now.toISOString()),
      { displayName: "t", role: "admin", attested: false },
      { actor: "system", now },
    );
    const { key } = await createKey(store.db, staff.id, { actor: "system", now });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.addresses().find((a) => typeof a === "object");
    const url = `http://127.0.0.1:${address?.port}/v1/decisions`;

    const requests = Array.from({ length: IN_FLIGHT }, () =>
      fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", connection: "close" },
        body: JSON.stringify({
          use: {
            action: "send",
            purpose: "marketing.communications",
            fields: ["email"],
            channel: "email",
            messageClass: "marketing",
          },
          facts: { subject: { status: "customer" } },
        }),
      }),
    );
    await arrived;
    const closing = app.close();
    release();
    await closing;
    await audit.close();

    const responses = await Promise.all(requests);
    expect(responses.map((r) => r.status)).toEqual(Array(IN_FLIGHT).fill(200));
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from audit_log where type = 'decision'`.execute(store.db);
    expect(rows[0]?.n).toBe(IN_FLIGHT);
    await store.close();
  });
});
