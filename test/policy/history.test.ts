import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PolicyError } from "../../src/policy/errors.ts";
import { inForce, loadAllPolicies, loadPolicyHistory } from "../../src/policy/history.ts";
import { MINIMAL, variant } from "./helpers.ts";

const version = (v: string, from: string, company = "acme"): string =>
  variant(
    "company: acme",
    `company: ${company}`,
    variant(
      'version: "2024-01"',
      `version: "${v}"`,
      variant('effective_from: "2024-01-01"', `effective_from: "${from}"`),
    ),
  );

describe("policy versions (PS-10, Z19-08)", () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "pledge-policies-"));
    await mkdir(join(root, "acme"));
  });
  afterEach(async () => rm(root, { recursive: true, force: true }));

  const put = (name: string, text: string) => writeFile(join(root, "acme", name), text);

  it("sorts versions by effective_from, whatever the file names", async () => {
    await put("b.yaml", version("one", "2020-01-01"));
    await put("a.yaml", version("two", "2021-06-01T12:00:00Z"));
    const h = await loadPolicyHistory(join(root, "acme"));
    expect(h.company).toBe("acme");
    expect(h.versions.map((v) => v.pack.version)).toEqual(["one", "two"]);
  });

  it("inForce: the latest version not after the instant, exact at the boundaries", async () => {
    await put("1.yaml", version("one", "2020-01-01"));
    await put("2.yaml", version("two", "2021-06-01T12:00:00Z"));
    const h = await loadPolicyHistory(join(root, "acme"));
    expect(inForce(h, "2020-01-01T00:00:00Z").version).toBe("one");
    expect(inForce(h, "2021-06-01T11:59:59.999Z").version).toBe("one");
    expect(inForce(h, "2021-06-01T12:00:00Z").version).toBe("two");
    expect(inForce(h, "2021-06-01T14:00:00+02:00").version).toBe("two");
    expect(inForce(h, "2030-01-01T00:00:00Z").version).toBe("two");
  });

  it("before the first version: PLEDGE_NO_POLICY_IN_FORCE", async () => {
    await put("1.yaml", version("one", "2020-01-01"));
    const h = await loadPolicyHistory(join(root, "acme"));
    expect(() => inForce(h, "2019-12-31T23:59:59.999Z")).toThrow(
      expect.objectContaining({ code: "PLEDGE_NO_POLICY_IN_FORCE" }),
    );
    expect(() => inForce(h, "not a time")).toThrow(PolicyError);
  });

  it("refuses two versions taking effect at the same instant, pointing at effective_from", async () => {
    await put("1.yaml", version("one", "2020-01-01"));
    await put("2.yaml", version("two", "2020-01-01T00:00:00Z"));
    const err = await loadPolicyHistory(join(root, "acme")).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "PLEDGE_POLICY_HISTORY_INVALID" });
    expect((err as PolicyError).issues).toMatchObject([
      { file: join(root, "acme", "2.yaml"), line: 4, column: 17, path: "effective_from" },
    ]);
  });

  it("refuses versions of different companies in one folder", async () => {
    await put("1.yaml", version("one", "2020-01-01"));
    await put("2.yaml", version("two", "2021-01-01", "other"));
    const err = await loadPolicyHistory(join(root, "acme")).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "PLEDGE_POLICY_HISTORY_INVALID" });
    expect((err as PolicyError).issues[0]).toMatchObject({ line: 1, column: 10, path: "company" });
  });

  it("loadAllPolicies: one history per company folder; the folder must be named after the company", async () => {
    await put("1.yaml", MINIMAL);
    const all = await loadAllPolicies(root);
    expect([...all.keys()]).toEqual(["acme"]);
    await mkdir(join(root, "misnamed"));
    await writeFile(join(root, "misnamed", "1.yaml"), version("x", "2020-01-01", "someone"));
    await expect(loadAllPolicies(root)).rejects.toMatchObject({ code: "PLEDGE_POLICY_HISTORY_INVALID" });
  });

  it("the zones folder holds two versions, the 2016 one in force until the instant the 2019 one takes effect", async () => {
    const h = await loadPolicyHistory("policies/zones");
    expect(h.versions).toHaveLength(2);
    expect(inForce(h, new Date(h.versions[1]!.from).toISOString()).version).toBe(h.versions[1]!.pack.version);
    expect(inForce(h, new Date(h.versions[1]!.from - 1).toISOString()).version).toBe(
      h.versions[0]!.pack.version,
    );
  });
});
