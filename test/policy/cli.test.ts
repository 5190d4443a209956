import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { policyCommand } from "../../src/cli/policy.ts";
import { MINIMAL_PATH, variant } from "./helpers.ts";

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await policyCommand(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join(""), err: err.join("\n") };
}

describe("pledge policy", () => {
  let dir: string;
  let bad: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "pledge-cli-"));
    bad = join(dir, "bad.yaml");
    await writeFile(bad, variant("jurisdictions: [US]", "jurisdictions: US"));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("check: ok per valid file; file:line:column per error; exit 1 on any error", async () => {
    const ok = await run("check", MINIMAL_PATH);
    expect(ok).toEqual({ code: 0, out: `ok ${MINIMAL_PATH} (acme 2024-01)`, err: "" });
    const mixed = await run("check", MINIMAL_PATH, bad);
    expect(mixed.code).toBe(1);
    expect(mixed.err).toBe(`${bad}:6:16: jurisdictions: Invalid input: expected array, received string`);
    expect((await run("check", join(dir, "missing.yaml"))).code).toBe(1);
  });

  it("render: markdown by default, html on request", async () => {
    const md = await run("render", MINIMAL_PATH);
    expect(md.code).toBe(0);
    expect(md.out).toContain("# Acme Parts Privacy Policy");
    const html = await run("render", MINIMAL_PATH, "--format", "html");
    expect(html.out).toMatch(/^<!doctype html>/);
    expect((await run("render", MINIMAL_PATH, "--format=pdf")).code).toBe(2);
  });

  it("diff: text with material changes flagged, or JSON", async () => {
    const next = join(dir, "next.yaml");
    await writeFile(next, variant("sale: { allowed: never", "sale: { allowed: with_permission"));
    const text = await run("diff", MINIMAL_PATH, next);
    expect(text.code).toBe(0);
    expect(text.out).toContain("! material: changed rule sale: never → with_permission");
    const json = await run("diff", MINIMAL_PATH, next, "--json");
    expect(JSON.parse(json.out)).toMatchObject({
      material: true,
      changes: [{ area: "rule", id: "sale", material: true }],
    });
  });

  it("explain: prints the gate's decision with reasons; exit 0 whatever the outcome", async () => {
    const use = {
      action: "send",
      purpose: "marketing.communications.email",
      fields: ["email"],
      channel: "email",
      messageClass: "marketing",
    };
    const denied = await run("explain", MINIMAL_PATH, "--use", JSON.stringify(use));
    expect(denied.code).toBe(0);
    expect(denied.out.split("\n")[0]).toBe("deny (acme 2024-01)");
    expect(denied.out).toMatch(/AC-02 rule \d+ \w+/);
    const consented = JSON.stringify({
      subject: { consents: { "marketing.communications.email": "granted" } },
    });
    const allowed = await run("explain", MINIMAL_PATH, "--use", JSON.stringify(use), "--facts", consented);
    expect(allowed.out.split("\n")[0]).toBe("allow (acme 2024-01)");
    expect(allowed.out).toContain("fields: email");
    const suppressed = JSON.stringify({
      subject: { consents: { "marketing.communications.email": "granted" }, suppressed: ["email"] },
    });
    const refused = await run("explain", MINIMAL_PATH, "--use", JSON.stringify(use), "--facts", suppressed);
    expect(refused.out).toMatch(/^deny[\s\S]*AC-03/);
  });

  it("explain: unreadable input exits 1 with the reason", async () => {
    const r = await run("explain", MINIMAL_PATH, "--use", '{"action":"fly","purpose":"x"}');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--use.*action/);
  });

  it("bad arguments: one line naming what was wrong, a pointer to --help, exit 2", async () => {
    expect(await run()).toMatchObject({ code: 2, err: expect.stringMatching(/^usage: pledge policy check/) });
    for (const [argv, message] of [
      [["nope"], 'unknown subcommand "nope"'],
      [["check"], "policy check needs a pack FILE"],
      [["render"], "policy render needs a pack FILE"],
      [["render", MINIMAL_PATH, "--format", "pdf"], '--format: expected md or html, got "pdf"'],
      [["diff", MINIMAL_PATH], "policy diff needs two files, OLD and NEW"],
      [["explain", MINIMAL_PATH], "policy explain needs --use JSON|@file"],
      [["check", "--bogus"], "unknown option --bogus"],
      [["diff", MINIMAL_PATH, MINIMAL_PATH, "--format", "md"], "--format is not an option of policy diff"],
    ] as const) {
      expect(await run(...argv), argv.join(" ")).toEqual({
        code: 2,
        out: "",
        err: `pledge policy: ${message}\nrun "pledge policy --help" for usage`,
      });
    }
  });

  it("the real binary checks every shipped pack", async () => {
    const files = readdirSync("policies", { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) =>
        readdirSync(join("policies", d.name))
          .filter((f) => f.endsWith(".yaml"))
          .map((f) => join("policies", d.name, f)),
      );
    expect(files.length).toBeGreaterThanOrEqual(5);
    const { stdout } = await promisify(execFile)("node", ["bin/pledge.js", "policy", "check", ...files]);
    expect(stdout.trim().split("\n")).toHaveLength(files.length);
    for (const f of files) expect(stdout).toContain(`ok ${f} (`);
  });
});
