import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const dataDir = mkdtempSync(path.join(tmpdir(), "pledge-cli-"));
const baseEnv = {
  ...process.env,
  PORT: "0",
  PLEDGE_HOST: "127.0.0.1",
  PLEDGE_DATA_DIR: dataDir,
  PLEDGE_POLICY: "partstore",
  DATABASE_URL: "",
  LOG_LEVEL: "warn",
  PLEDGE_BOOTSTRAP_KEY: "",
};

interface Server {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `pledge serve` and resolves once it prints the address it listens on. */
function serve(env: Record<string, string> = {}): Promise<Server> {
  const child = spawn(process.execPath, ["bin/pledge.js", "serve"], {
    cwd: root,
    env: { ...baseEnv, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let seen = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (match?.[1]) resolve({ child, url: match[1], output: () => seen, exited });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void exited.then((code) => reject(new Error(`pledge serve exited (${code}) before listening:\n${seen}`)));
  });
}

function pledge(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ["bin/pledge.js", ...args], {
    cwd: root,
    env: { ...baseEnv, ...env },
    encoding: "utf8",
  });
}

const decision = {
  use: { action: "read", purpose: "essential.service.order_fulfilment", fields: ["order_id", "email"] },
  facts: { subject: { status: "customer" } },
};

async function call(url: string, method: string, key: string, body?: unknown) {
  const res = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("pledge serve, as a process", () => {
  it("starts on a fresh data directory, prints a one-time admin key, serves, and exits 0 on SIGTERM", async () => {
    const server = await serve();
    try {
      const key = /^\s+(pk_[a-z0-9]+_[A-Za-z0-9_-]{43})$/m.exec(server.output())?.[1];
      expect(key, server.output()).toBeDefined();

      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);

      const staff = await call(`${server.url}/v1/staff`, "POST", key!, {
        displayName: "Robin",
        role: "customer_service",
        attested: true,
      });
      expect(staff.status).toBe(201);
      const made = await call(`${server.url}/v1/staff/${String(staff.body.id)}/keys`, "POST", key!);
      expect(made.status).toBe(201);

      const answer = await call(`${server.url}/v1/decisions`, "POST", String(made.body.key), decision);
      expect(answer.status).toBe(200);
      expect((answer.body.decision as { outcome: string }).outcome).toBe("allow");
      expect((answer.body.audit as { seq: number }).seq).toBeGreaterThan(0);
    } finally {
      server.child.kill("SIGTERM");
    }
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain("shutting down");
  });

  it("encrypts with keys kept in the data directory, so a record written before a restart reads after it", async () => {
    const key = `pk_0123456789ab_${"K".repeat(43)}`;
    const own = {
      PLEDGE_DATA_DIR: mkdtempSync(path.join(tmpdir(), "pledge-cli-keys-")),
      PLEDGE_BOOTSTRAP_KEY: key,
    };
    const first = await serve(own);
    let id: string;
    try {
      const made = await call(`${first.url}/v1/subjects`, "POST", key, {
        status: "customer",
        purpose: "essential.service.order_fulfilment",
        collectionPoint: "web.checkout",
        birthDate: "1980-04-02",
        jurisdiction: "US",
        fields: { first_name: "Ada", last_name: "Lovelace", email: "ada.restart@example.com" },
      });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      id = String(made.body.id);
    } finally {
      first.child.kill("SIGTERM");
    }
    expect(await first.exited).toBe(0);

    const second = await serve(own);
    try {
      const read = await call(
        `${second.url}/v1/subjects/${id}?purpose=essential.service.order_fulfilment&fields=first_name,email`,
        "GET",
        key,
      );
      expect(read.status, JSON.stringify(read.body)).toBe(200);
      const fields = read.body.fields as Record<string, { value: string }>;
      expect(fields.first_name?.value).toBe("Ada");
      expect(fields.email?.value).toBe("ada.restart@example.com");
    } finally {
      second.child.kill("SIGTERM");
    }
    expect(await second.exited).toBe(0);
  });

  it("on restart keeps its data, prints no new key, and a configured bootstrap key is not added to a store with keys", async () => {
    const server = await serve({ PLEDGE_BOOTSTRAP_KEY: `pk_cafe0123abcd_${"Q".repeat(43)}` });
    try {
      expect(server.output()).not.toMatch(/pk_[a-z0-9]+_/);
      const res = await call(
        `${server.url}/v1/decisions`,
        "POST",
        `pk_cafe0123abcd_${"Q".repeat(43)}`,
        decision,
      );
      expect(res.status).toBe(401);
    } finally {
      server.child.kill("SIGTERM");
    }
    expect(await server.exited).toBe(0);
  });

  it("a bad variable stops start-up with a message naming it, exit code 1", () => {
    const run = pledge(["serve"], { PLEDGE_PORT: "abc" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('PLEDGE_PORT: expected an integer 0–65535 (0: any free port), got "abc"');
  });

  it("an unknown command prints the usage and exits 2", () => {
    const run = pledge(["frobnicate"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown command "frobnicate"');
    expect(run.stderr).toContain("usage: pledge <command>");
  });
});
