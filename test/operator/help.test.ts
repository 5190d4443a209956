import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { runPledge } from "../harness/cli.ts";

/**
 * Every command answers `--help` with its usage (exit 0), and every wrong invocation with one line
 * naming what was wrong and a pointer to `--help` (exit 2), never a stack trace.
 */
const dataDir = mkdtempSync(path.join(tmpdir(), "pledge-help-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const env = { PLEDGE_DATA_DIR: dataDir };

async function inProcess(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** The commands `pledge --help` lists: the first word of each line under "commands:". */
function commandsIn(help: string): string[] {
  const lines = help.split("\n");
  const from = lines.indexOf("commands:");
  return lines
    .slice(from + 1)
    .map((l) => /^ {2}(\S+)/.exec(l)?.[1])
    .filter((c): c is string => c !== undefined && c !== "help");
}

const STACK = /\n\s+at /;

describe("pledge --help", () => {
  it("every command listed by `pledge --help` prints its usage for --help, exit 0", async () => {
    const top = await runPledge(["--help"], env);
    expect(top.code).toBe(0);
    const commands = commandsIn(top.out);
    expect(commands).toEqual([
      "serve",
      "migrate",
      "audit",
      "policy",
      "staff",
      "import",
      "retention",
      "audiences",
      "keys",
    ]);
    for (const command of commands) {
      const run = await runPledge([command, "--help"], env);
      expect({ command, code: run.code, err: run.err }).toEqual({ command, code: 0, err: "" });
      expect(run.out, command).toMatch(new RegExp(`^usage:[\\s\\S]*pledge ${command}`));
    }
    // Nothing was opened or created for any of them.
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it("-h, `pledge help COMMAND` and a subcommand's --help print the same usage", async () => {
    const usage = (await inProcess(["staff", "--help"])).out;
    expect(usage).toContain("pledge staff list");
    for (const argv of [
      ["staff", "-h"],
      ["help", "staff"],
      ["staff", "add", "--help"],
      ["staff", "key", "-h"],
    ]) {
      expect(await inProcess(argv), argv.join(" ")).toEqual({ code: 0, out: usage, err: "" });
    }
    for (const argv of [
      ["migrate", "-h"],
      ["policy", "render", "--help"],
      ["keys", "rotate", "--help"],
      ["audit", "verify", "-h"],
      ["import", "--help"],
    ]) {
      const run = await inProcess(argv);
      expect(run.code, argv.join(" ")).toBe(0);
      expect(run.out).toMatch(/^usage:/);
    }
    // After `--`, --help is an operand, not a request for help.
    expect((await inProcess(["policy", "check", "--", "--help"])).code).toBe(1);
  });
});

describe("wrong invocations", () => {
  it("unknown flags and bad values: one line naming the problem, the --help hint, exit 2, no stack", async () => {
    for (const [argv, message] of [
      [["import", "--bogus"], "pledge import: unknown option --bogus"],
      [["migrate", "now"], 'pledge migrate: unexpected argument "now"'],
      [
        ["serve", "--port", "80"],
        'pledge serve: unexpected argument "--port": pledge serve is configured by environment variables (docs/configuration.md)',
      ],
      [
        ["policy", "render", "policies/partstore/2009-09-27.yaml", "--format", "pdf"],
        'pledge policy: --format: expected md or html, got "pdf"',
      ],
      [
        ["import", "customers.csv", "--status", "vip"],
        'pledge import: --status: expected customer, prospect, former, got "vip"',
      ],
      [["audit", "verify", "--public-key"], "pledge audit: --public-key needs a value"],
      [
        ["keys", "rotate", "--batch-size", "lots"],
        'pledge keys: --batch-size: expected a positive integer, got "lots"',
      ],
    ] as const) {
      const [command] = argv;
      const run = await inProcess([...argv]);
      expect(run, argv.join(" ")).toEqual({
        code: 2,
        out: "",
        err: `${message}\nrun "pledge ${command} --help" for usage`,
      });
    }
  });

  it("import of a file that does not exist names the path, exit 1, nothing created", async () => {
    const missing = path.join(dataDir, "missing.csv");
    const run = await runPledge(["import", missing], env);
    expect(run.code).toBe(1);
    expect(run.err).toBe(`pledge import: no such file: ${missing}\n`);
    expect(run.err).not.toMatch(STACK);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it("the binary answers a bad value with the one line and hint, never a stack", async () => {
    const bad = await runPledge(["staff", "add", "--name", "Robin", "--role"], env);
    expect(bad).toEqual({
      code: 2,
      out: "",
      err: 'pledge staff: --role needs a value\nrun "pledge staff --help" for usage\n',
    });
  });
});
