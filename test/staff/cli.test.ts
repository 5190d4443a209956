import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { staffCommand } from "../../src/cli/staff.ts";
import { POLICIES_DIR } from "../harness/app.ts";

const dataDir = mkdtempSync(path.join(tmpdir(), "pledge-staff-cli-"));
const env = { PLEDGE_DATA_DIR: dataDir, PLEDGE_POLICIES_DIR: POLICIES_DIR, PLEDGE_POLICY: "partstore" };
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await staffCommand(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, env);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("pledge staff", () => {
  it("adds a staff member, makes a key printed once, attests, and revokes", async () => {
    const added = await run(["add", "--name", "Robin", "--role", "customer_service"]);
    expect(added, added.err).toMatchObject({ code: 0 });
    const staffId = added.out.trim();
    expect(staffId).toMatch(/^[0-9a-f-]{36}$/);

    const key = await run(["key", staffId]);
    expect(key.code).toBe(0);
    expect(key.out.trim()).toMatch(/^pk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);

    const attested = await run(["attest", staffId]);
    expect(attested.code).toBe(0);
    expect(attested.out).toMatch(/^attested /);

    const keyId = /key id ([0-9a-f-]{36})/.exec(key.err)?.[1];
    expect(keyId).toBeDefined();
    const revoked = await run(["revoke", keyId!]);
    expect(revoked.code).toBe(0);
    expect(revoked.out).toMatch(new RegExp(`^revoked ${keyId}`));
  });

  it("refuses a role the pack does not know, naming the roles it does", async () => {
    const res = await run(["add", "--name", "Sam", "--role", "astronaut"]);
    expect(res.code).toBe(1);
    expect(res.err).toContain('role "astronaut" is not one of: admin, customer_service');
  });

  it("a wrong invocation prints the usage and exits 2", async () => {
    expect((await run(["add", "--name", "Sam"])).code).toBe(2);
    expect((await run(["key"])).code).toBe(2);
    expect((await run(["fly"])).err).toContain("usage:");
  });

  it("an unknown id is a readable failure", async () => {
    const res = await run(["revoke", "00000000-0000-4000-8000-000000000000"]);
    expect(res).toMatchObject({ code: 1, err: "pledge staff: no such API key" });
  });
});
