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

    // list: id, role, attested, created, name; keys: id, prefix, created, last used, revoked.
    const list = await run(["list"]);
    expect(list.code, list.err).toBe(0);
    const row = list.out.split("\n").find((l) => l.startsWith(staffId));
    expect(row?.split("\t")).toEqual([
      staffId,
      "customer_service",
      expect.any(String),
      expect.any(String),
      "Robin",
    ]);
    const keys = await run(["keys", staffId]);
    expect(keys.code, keys.err).toBe(0);
    const prefix = key.out.trim().split("_")[1];
    expect(keys.out.split("\t")).toEqual([
      keyId,
      `pk_${prefix}_…`,
      expect.stringMatching(/^\d{4}-/),
      "-",
      expect.stringMatching(/^\d{4}-/),
    ]);
    expect(keys.out).not.toContain(key.out.trim().split("_").slice(2).join("_"));
  });

  it("invites a staff member to the console: a set-up code, printed once", async () => {
    const staffId = (await run(["add", "--name", "Robin", "--role", "customer_service"])).out.trim();
    const invited = await run(["invite", staffId, "--username", "Robin.C"]);
    expect(invited, invited.err).toMatchObject({ code: 0 });
    const setupCode = invited.out.trim();
    expect(setupCode).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(invited.err).toMatch(/^set-up code for robin\.c, good until \d{4}-.*: open \/console\/setup$/m);
    expect(await run(["invite", staffId])).toMatchObject({ code: 2 });
    expect((await run(["invite", staffId, "--username", "x"])).err).toContain("a username is 2 to 63");
  });

  it("refuses a role the pack does not know, naming the roles it does", async () => {
    const res = await run(["add", "--name", "Sam", "--role", "astronaut"]);
    expect(res.code).toBe(1);
    expect(res.err).toContain('role "astronaut" is not one of: admin, customer_service');
  });

  it("a wrong invocation says what was wrong in one line, points at --help, and exits 2", async () => {
    const hint = '\nrun "pledge staff --help" for usage';
    for (const [argv, message] of [
      [["add", "--name", "Sam"], "staff add needs --role ROLE"],
      [["key"], "staff key needs a STAFF_ID"],
      [["keys", "robin"], 'STAFF_ID: expected an id such as 3f0c1a9e-…, got "robin"'],
      [["fly"], 'unknown subcommand "fly"'],
      [["list", "--bogus"], "unknown option --bogus"],
      [["add", "--name"], "--name needs a value"],
    ] as const) {
      expect(await run([...argv]), argv.join(" ")).toEqual({
        code: 2,
        out: "",
        err: `pledge staff: ${message}${hint}`,
      });
    }
    expect((await run([])).err).toMatch(/^usage:/);
  });

  it("an unknown id is a readable failure", async () => {
    const res = await run(["revoke", "00000000-0000-4000-8000-000000000000"]);
    expect(res).toMatchObject({ code: 1, err: "pledge staff: no such API key" });
  });
});
