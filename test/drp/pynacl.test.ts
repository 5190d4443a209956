import { execFile, execFileSync } from "node:child_process";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../harness/app.ts";

/**
 * A second, independent signer: an agent written in Python with PyNaCl (Debian's python3-nacl,
 * the library OSIRAA signs with), test/drp/pynacl-agent.py, against Pledge listening on
 * 127.0.0.1 with its own request service. Python's `json.dumps` bytes, libsodium's combined mode,
 * base64, text/plain: Pledge must take them as sent. The suite is skipped, saying why, when no
 * Python here imports `nacl`.
 */
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "pynacl-agent.py");
const run = promisify(execFile);

/**
 * The first of `python3` and Debian's own `/usr/bin/python3` (where python3-nacl installs; a
 * `python3` earlier on PATH, a pyenv one say, may not see it) that imports nacl; null for none.
 */
function pythonWithNacl(): string | null {
  for (const python of ["python3", "/usr/bin/python3"]) {
    try {
      execFileSync(python, ["-c", "import nacl.signing"], { stdio: "ignore", timeout: 30_000 });
      return python;
    } catch {
      // not this one
    }
  }
  return null;
}

const PYTHON = pythonWithNacl();
const BUSINESS = "zones-pynacl-001";
const AGENT = "PYNACL_AGENT";

interface Answer {
  status: number;
  body: Record<string, unknown> | null;
}

describe.skipIf(PYTHON === null)(
  `DRP 1.0 from a PyNaCl agent${PYTHON === null ? " (skipped: python3 -c 'import nacl' fails here; apt-get install python3-nacl)" : ""}`,
  () => {
    let t: TestApp;
    let base: string;
    let email: string;
    let seed: string;
    let answers: Record<"setup" | "exercise" | "read" | "tampered", Answer> | undefined;

    beforeAll(async () => {
      t = await buildTestApp({ company: "zones", env: { PLEDGE_DRP_BUSINESS_ID: BUSINESS } });
      const admin = await t.apiKey("admin");
      email = `ottoline.${Math.random().toString(36).slice(2, 8)}@example.com`;
      const person = await t.app.inject({
        method: "POST",
        url: "/v1/subjects",
        headers: { authorization: `Bearer ${admin}` },
        payload: {
          status: "customer",
          purpose: "essential.service.account",
          collectionPoint: "web.signup",
          birthDate: "1980-04-02",
          jurisdiction: "US-CA",
          fields: { first_name: "Ottoline", last_name: "Hartley", email },
        },
      });
      expect(person.statusCode).toBe(201);
      const keys = JSON.parse((await run(PYTHON!, [SCRIPT, "keygen"])).stdout) as {
        seed: string;
        verify_key: string;
      };
      const reg = await t.app.inject({
        method: "POST",
        url: "/v1/drp/agents",
        headers: { authorization: `Bearer ${admin}` },
        payload: { id: AGENT, name: "PyNaCl agent", verifyKey: keys.verify_key },
      });
      expect(reg.statusCode).toBe(201);
      await t.app.listen({ port: 0, host: "127.0.0.1" });
      base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      seed = keys.seed;
    });
    afterAll(() => t?.close());

    /** The agent's one run (key set-up, exercise, read, tampered exercise), shared by the tests. */
    const agentRun = async () =>
      (answers ??= JSON.parse(
        (
          await run(PYTHON!, [SCRIPT, "run", seed, base, AGENT, BUSINESS, email, "Hartley, Ottoline"], {
            timeout: 60_000,
          })
        ).stdout,
      ) as NonNullable<typeof answers>);

    it("key set-up, an exercise signed over json.dumps bytes, and its status read back", async () => {
      const { setup, exercise, read } = await agentRun();
      expect(setup).toEqual({ status: 200, body: { "agent-id": AGENT } });
      expect(exercise.status).toBe(200);
      expect(exercise.body).toMatchObject({
        agent_request_id: "py-1",
        status: "fulfilled",
        reason: null,
      });
      expect(exercise.body!.received_at).toMatch(/\+00:00$/);
      expect(read).toEqual({ status: 200, body: exercise.body });
      const row = await t.store.db
        .selectFrom("rights_requests")
        .select(["kind", "intake", "agent_id", "state"])
        .where("request_id", "=", exercise.body!.request_id as string)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ kind: "opt_out_sale", intake: "agent", agent_id: AGENT, state: "fulfilled" });
    });

    it("one byte of the signed JSON changed after signing: refused, 403, and nothing taken", async () => {
      const { tampered } = await agentRun();
      expect(tampered.status).toBe(403);
      expect(tampered.body).toMatchObject({ code: "403" });
      expect(String(tampered.body!.message)).toMatch(/^PLEDGE_DRP_SIGNATURE_INVALID:/);
      const taken = await t.store.db
        .selectFrom("rights_requests")
        .select("request_id")
        .where("agent_request_id", "in", ["py-2", "py-3"])
        .execute();
      expect(taken).toEqual([]);
    });
  },
);
