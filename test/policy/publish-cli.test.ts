import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openConfiguredStore } from "../../src/app.ts";
import { policyCommand } from "../../src/cli/policy.ts";
import { loadConfig } from "../../src/config.ts";
import { POLICIES_DIR } from "../harness/app.ts";
import { testStoreKind } from "../harness/store.ts";
import { marketingUsesAccount, partstoreVersion } from "./publish.fixtures.ts";

// `pledge policy publish` against the configured store: the embedded one in a temporary data
// directory (the PostgreSQL path is the same code as the API, tested in publish.test.ts).
describe.runIf(testStoreKind === "pglite")("pledge policy publish", () => {
  const dir = mkdtempSync(join(tmpdir(), "pledge-publish-"));
  const env = {
    PLEDGE_DATA_DIR: dir,
    PLEDGE_POLICY: "partstore",
    PLEDGE_POLICIES_DIR: POLICIES_DIR,
    LOG_LEVEL: "silent",
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await policyCommand(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, env);
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  it("publishes a version into the store, audited; refuses it a second time; prints usage without a file", async () => {
    const file = join(dir, "next.yaml");
    writeFileSync(file, marketingUsesAccount(partstoreVersion("2099-01-01", "2099-01-01T00:00:00Z")));
    const first = await run("publish", file);
    expect(first.err).toBe("");
    expect(first.code).toBe(0);
    expect(first.out).toContain(
      "published partstore 2099-01-01, in force from 2099-01-01T00:00:00.000Z (follows 2009-09-27)",
    );
    expect(first.out).toMatch(/\d+ change\(s\), [1-9]\d* material/);
    expect(first.out).toMatch(
      /announcement: material change: the policy_change campaign is a draft .*\(campaign [0-9a-f-]{36}\)/,
    );

    const again = await run("publish", file);
    expect(again.code).toBe(1);
    expect(again.err).toContain("PLEDGE_POLICY_VERSION_EXISTS");

    const broken = join(dir, "broken.yaml");
    writeFileSync(broken, "company: partstore\nversion: [\n");
    const bad = await run("publish", broken);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/broken\.yaml:\d+:\d+: /);

    expect((await run("publish")).code).toBe(2);

    const store = await openConfiguredStore(loadConfig(env));
    try {
      const rows = await store.db.selectFrom("policy_versions").select(["version", "published_by"]).execute();
      expect(rows).toEqual([{ version: "2099-01-01", published_by: "system" }]);
      const audit = await store.db
        .selectFrom("audit_log")
        .select("actor")
        .where("type", "=", "policy.published")
        .execute();
      expect(audit).toEqual([{ actor: "system" }]);
      const campaigns = await store.db.selectFrom("campaigns").select(["status", "message_class"]).execute();
      expect(campaigns).toEqual([{ status: "draft", message_class: "policy_change" }]);
    } finally {
      await store.close();
    }
  });
});
