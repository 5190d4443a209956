import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { buildTestApp } from "../harness/app.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const run = promisify(execFile);

/**
 * docs/drp.md's worked example, run as written: its shell blocks after the first (which starts
 * `pledge serve`) in one bash, against a test server listening on 127.0.0.1 with Pledge's own
 * request service and Ada on record, the example signer included. Only the address and the key file's place are changed.
 */
describe("docs/drp.md worked example", () => {
  it("its commands register an agent, set up a token, exercise, read and revoke", async () => {
    const text = await readFile(path.join(ROOT, "docs/drp.md"), "utf8");
    const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    const env = Object.fromEntries(
      [...blocks[0]!.matchAll(/^export (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]),
    );
    expect(loadConfig(env).drpBusinessId).toBe("acme-001");

    const t = await buildTestApp({ company: "zones", env: { PLEDGE_DRP_BUSINESS_ID: "acme-001" } });
    const dir = await mkdtemp(path.join(tmpdir(), "pledge-drp-doc-"));
    try {
      const admin = await t.apiKey("admin");
      const ada = await t.app.inject({
        method: "POST",
        url: "/v1/subjects",
        headers: { authorization: `Bearer ${admin}` },
        payload: {
          status: "customer",
          purpose: "essential.service.account",
          collectionPoint: "web.signup",
          birthDate: "1980-04-02",
          jurisdiction: "US-CA",
          fields: { first_name: "Ada", last_name: "Lovelace", email: "ada@example.com" },
        },
      });
      expect(ada.statusCode).toBe(201);
      await t.app.listen({ port: 0, host: "127.0.0.1" });
      const { port } = t.app.server.address() as AddressInfo;
      const script = blocks
        .slice(1)
        .join("\n")
        .replaceAll("localhost:4000", `127.0.0.1:${port}`)
        .replaceAll("agent.key", path.join(dir, "agent.key"));
      const { stdout } = await run("bash", ["-euo", "pipefail", "-c", script], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? "", ADMIN: `Authorization: Bearer ${admin}` },
      });
      expect(stdout).toContain('"id":"DEMO_AGENT"');
      const statuses = [...stdout.matchAll(/\{"request_id":[^}]*\}/g)].map(
        (m) => JSON.parse(m[0]) as Record<string, unknown>,
      );
      expect(statuses.map((s) => [s.agent_request_id, s.status, s.reason])).toEqual([
        ["demo-1", "in_progress", null], // the exercise's answer
        ["demo-1", "in_progress", null], // its status read back
        ["demo-1", "revoked", null],
      ]);
      const row = await t.store.db
        .selectFrom("rights_requests")
        .select(["kind", "intake", "agent_id", "state", "subject_id"])
        .where("agent_request_id", "=", "demo-1")
        .executeTakeFirstOrThrow();
      expect(row).toEqual({
        kind: "deletion",
        intake: "agent",
        agent_id: "DEMO_AGENT",
        state: "revoked",
        subject_id: (ada.json() as { id: string }).id,
      });
    } finally {
      await t.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
