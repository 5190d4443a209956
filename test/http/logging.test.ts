import path from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createAuditWriter } from "../../src/audit/writer.ts";
import { loadConfig } from "../../src/config.ts";
import { createApp } from "../../src/http/app.ts";
import { createLogger } from "../../src/http/logger.ts";
import { createKey, createStaff } from "../../src/modules/staff/staff.service.ts";
import { inForce, loadPolicyHistory } from "../../src/policy/history.ts";
import { POLICIES_DIR } from "../harness/app.ts";
import { freshStore } from "../harness/store.ts";

describe("request logging", () => {
  it("logs method, path and status, never bodies, query strings or credentials", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const store = await freshStore();
    const policies = await loadPolicyHistory(path.join(POLICIES_DIR, "partstore"));
    const audit = createAuditWriter(store.db);
    const config = loadConfig({ PLEDGE_POLICIES_DIR: POLICIES_DIR });
    const app = await createApp({
      config,
      store,
      policies,
      audit,
      clock: () => new Date(),
      logger: createLogger("trace", sink),
    });
    const now = new Date();
    const ctx = { actor: "system", now };
    const staff = await createStaff(
      store.db,
      inForce(policies, now.toISOString()),
      { displayName: "t", role: "admin", attested: false },
      ctx,
    );
    const { key } = await createKey(store.db, staff.id, ctx);

    const marker = "case-MARKER-7f3a";
    const ok = await app.inject({
      method: "POST",
      url: "/v1/decisions?email=someone@example.com",
      headers: { authorization: `Bearer ${key}`, "x-api-key": key },
      payload: {
        use: {
          action: "open_content",
          purpose: "marketing.communications",
          fields: ["email"],
          caseId: marker,
        },
        facts: { subject: { status: "customer", jurisdiction: "US" } },
      },
    });
    expect(ok.statusCode).toBe(200);
    const bad = await app.inject({
      method: "POST",
      url: "/v1/decisions",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      payload: `{"use": "${marker}"`,
    });
    expect(bad.statusCode).toBe(400);

    await app.close();
    await audit.close();
    await store.close();
    const log = lines.join("");
    expect(log).toContain('"path":"/v1/decisions"');
    expect(log).toContain('"status":200');
    for (const secret of [marker, key, key.slice(-43), "someone@example.com", "Bearer"]) {
      expect(log, secret).not.toContain(secret);
    }
  });
});
