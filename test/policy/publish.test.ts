import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { until } from "../harness/wait.ts";
import {
  edit,
  marketingUsesAccount,
  partstoreVersion,
  shippedPack,
  wordingOnly,
} from "./publish.fixtures.ts";

let now = new Date("2025-01-10T12:00:00Z");

describe("publishing a policy version while Pledge runs", () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await buildTestApp({ company: "partstore", clock: () => now });
    admin = await t.apiKey("admin");
  });
  afterAll(() => t.close());

  const publish = (payload: string | object, contentType = "application/yaml", key = admin) =>
    t.app.inject({
      method: "POST",
      url: "/v1/policy/versions",
      headers: { authorization: `Bearer ${key}`, "content-type": contentType },
      payload: typeof payload === "string" ? payload : JSON.stringify(payload),
    });
  const stored = async () =>
    (await t.store.db.selectFrom("policy_versions").select("version").orderBy("version").execute()).map(
      (r) => r.version,
    );
  const versions = async () =>
    (
      (await t.app.inject({ method: "GET", url: "/policy/versions" })).json() as {
        versions: { version: string; inForce: boolean; source: string; effectiveFrom: string }[];
      }
    ).versions;

  it("refuses a pack that does not load, naming line and column, and stores nothing", async () => {
    const broken = edit(partstoreVersion("2025-02-01", "2025-02-01T00:00:00Z"), [
      "    basis: contract\n    categories: [user.contact.email, user.unique_id]",
      "    basis: contractual\n    categories: [user.contact.email, user.unique_id]",
    ]);
    const res = await publish(broken);
    expect(res.statusCode).toBe(422);
    const body = res.json() as { code: string; detail: string; errors: { path: string; message: string }[] };
    expect(body.code).toBe("PLEDGE_POLICY_INVALID");
    const line = broken.split("\n").findIndex((l) => l.includes("basis: contractual")) + 1;
    expect(body.detail).toContain(`body:${line}:`);
    expect(body.errors[0]?.path).toMatch(/^purposes\[\d+\]\.basis$/);
    expect(body.errors[0]?.message).toMatch(new RegExp(`^line ${line}, column \\d+: `));

    const yamlError = await publish("company: partstore\ncompany: again\n");
    expect(yamlError.statusCode).toBe(422);
    expect((yamlError.json() as { detail: string }).detail).toMatch(/^body:2:\d+: /);
    expect(await stored()).toEqual([]);
  });

  it("refuses another company's pack, a version already published and a backdated one; nothing changes", async () => {
    const zones = await publish(shippedPack("zones", "2019-12-31"));
    expect(zones.statusCode).toBe(400);
    expect((zones.json() as { code: string }).code).toBe("PLEDGE_POLICY_WRONG_COMPANY");

    const again = await publish(wordingOnly(shippedPack("partstore", "2009-09-27")));
    expect(again.statusCode).toBe(409);
    expect((again.json() as { code: string }).code).toBe("PLEDGE_POLICY_VERSION_EXISTS");

    const backdated = await publish(partstoreVersion("2001-01-01", "2001-01-01T00:00:00Z"));
    expect(backdated.statusCode).toBe(409);
    expect((backdated.json() as { code: string }).code).toBe("PLEDGE_POLICY_BACKDATED");

    expect(await stored()).toEqual([]);
    expect((await versions()).map((v) => v.version)).toEqual(["2009-09-27"]);
    const audited = await t.store.db
      .selectFrom("audit_log")
      .select("seq")
      .where("type", "=", "policy.published")
      .execute();
    expect(audited).toHaveLength(0);
  });

  it("needs an admin key", async () => {
    const text = partstoreVersion("2025-03-01", "2025-03-01T00:00:00Z");
    expect((await publish(text, "application/yaml", "")).statusCode).toBe(401);
    const marketer = await t.apiKey("marketing");
    expect((await publish(text, "application/yaml", marketer)).statusCode).toBe(403);
    expect(await stored()).toEqual([]);
  });

  it("publishes a later version: shown and enforced from its instant on, audited, stored", async () => {
    const res = await publish(wordingOnly(partstoreVersion("2025-03-01", "2025-03-01T00:00:00Z")));
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json() as Record<string, unknown>;
    expect(body).toMatchObject({
      company: "partstore",
      version: "2025-03-01",
      effectiveFrom: "2025-03-01T00:00:00.000Z",
      publishedAt: now.toISOString(),
      lastUpdated: "2025-03-01",
      follows: "2009-09-27",
      inForce: false,
      material: false,
      announcement: { campaignId: null, queued: 0 },
      url: "/policy/versions/2025-03-01",
    });
    expect(await stored()).toEqual(["2025-03-01"]);

    // Not yet: the version in force stays, and the new one is not shown.
    let served = await t.app.inject({ method: "GET", url: "/policy" });
    expect(served.headers["x-policy-version"]).toBe("2009-09-27");
    expect((await versions()).map((v) => v.version)).toEqual(["2009-09-27"]);
    expect((await t.app.inject({ method: "GET", url: "/policy/versions/2025-03-01" })).statusCode).toBe(404);

    now = new Date("2025-03-01T00:00:00Z");
    served = await t.app.inject({ method: "GET", url: "/policy?format=md" });
    expect(served.headers["x-policy-version"]).toBe("2025-03-01");
    expect(served.body).toContain("Last updated 2025-03-01");
    expect(served.body).toContain("Everything we keep sits on a well-protected server");
    expect(await versions()).toEqual([
      expect.objectContaining({ version: "2009-09-27", inForce: false, source: "file" }),
      expect.objectContaining({
        version: "2025-03-01",
        inForce: true,
        source: "published",
        effectiveFrom: "2025-03-01T00:00:00.000Z",
      }),
    ]);

    const audit = await t.store.db
      .selectFrom("audit_log")
      .select(["payload", "actor"])
      .where("type", "=", "policy.published")
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.payload).toEqual({
      company: "partstore",
      version: "2025-03-01",
      effectiveFrom: "2025-03-01T00:00:00.000Z",
    });
    expect(audit[0]?.actor).toMatch(/^staff:/);
  });

  it("takes JSON { yaml } too; an effective_from already past applies from the moment it is posted", async () => {
    now = new Date("2025-04-15T09:30:00Z");
    const text = marketingUsesAccount(partstoreVersion("2025-04-01", "2025-04-01T00:00:00Z"));
    const res = await publish({ yaml: text }, "application/json");
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json() as {
      effectiveFrom: string;
      inForce: boolean;
      material: boolean;
      follows: string;
    };
    expect(body.effectiveFrom).toBe(now.toISOString());
    expect(body.inForce).toBe(true);
    expect(body.follows).toBe("2025-03-01");
    expect(body.material).toBe(true);

    // The instant just before it was posted still belongs to the version then in force.
    const use = { action: "read", purpose: "marketing.communications", fields: ["customer_number"] };
    const ask = async (at: string) =>
      (
        await t.app.inject({
          method: "POST",
          url: "/v1/decisions",
          headers: { authorization: `Bearer ${admin}` },
          payload: {
            use: { ...use, at },
            facts: {
              subject: {
                status: "customer",
                age: 40,
                jurisdiction: "US",
                consents: {},
                optOuts: [],
                suppressed: [],
                permissions: [],
              },
            },
          },
        })
      ).json() as { decision: { outcome: string; policy: { version: string } } };
    const before = await ask("2025-04-15T09:29:59.999Z");
    expect(before.decision).toMatchObject({ outcome: "deny", policy: { version: "2025-03-01" } });
    const after = await ask(now.toISOString());
    expect(after.decision).toMatchObject({ outcome: "allow", policy: { version: "2025-04-01" } });
  });

  it("another node on the same store picks a published version up by polling", async () => {
    const { createApp } = await import("../../src/http/app.ts");
    const { createAuditWriter } = await import("../../src/audit/writer.ts");
    const { loadConfig } = await import("../../src/config.ts");
    const { loadPolicyHistory } = await import("../../src/policy/history.ts");
    const { POLICIES_DIR } = await import("../harness/app.ts");
    const path = await import("node:path");
    const audit = createAuditWriter(t.store.db);
    const other = await createApp({
      config: loadConfig({
        LOG_LEVEL: "silent",
        PLEDGE_POLICY: "partstore",
        PLEDGE_POLICIES_DIR: POLICIES_DIR,
      }),
      store: t.store,
      policies: await loadPolicyHistory(path.join(POLICIES_DIR, "partstore")),
      audit,
      clock: () => now,
    });
    try {
      const list = async () =>
        (
          (await other.inject({ method: "GET", url: "/policy/versions" })).json() as {
            versions: { version: string }[];
          }
        ).versions.map((v) => v.version);
      // Loaded at start-up.
      expect(await list()).toEqual(["2009-09-27", "2025-03-01", "2025-04-01"]);

      now = new Date("2025-05-01T00:00:00Z");
      const res = await publish(partstoreVersion("2025-05-01", "2025-05-01T00:00:00Z"));
      expect(res.statusCode, res.body).toBe(201);
      const seen = await until("the other node to load the new version", async () => {
        const versions = await list();
        return versions.includes("2025-05-01") ? versions : null;
      });
      expect(seen).toEqual(["2009-09-27", "2025-03-01", "2025-04-01", "2025-05-01"]);
      const served = await other.inject({ method: "GET", url: "/policy" });
      expect(served.headers["x-policy-version"]).toBe("2025-05-01");
    } finally {
      await other.close();
      await audit.close();
    }
  });
});
