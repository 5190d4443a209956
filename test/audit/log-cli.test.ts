import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/audit/hash.ts";
import { normalisePayload } from "../../src/audit/hash.ts";
import { auditCommand } from "../../src/cli/audit.ts";
import { testStoreKind } from "../harness/store.ts";
import { cliStore, type CliStore } from "./cli-store.ts";
import { decisionEvent, seedLog } from "./helpers.ts";

// Rows 1–6: decisionEvent(n) about subj-n by staff:<n mod 3>, at 2026-01-01T00:00:0n.000Z.
describe(`pledge audit log (${testStoreKind})`, () => {
  let s: CliStore;
  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await auditCommand(
      ["log", ...argv],
      { out: (x) => out.push(x), err: (x) => err.push(x) },
      s.env,
    );
    return { code, out, err };
  };
  const line = (n: number) => {
    const e = decisionEvent(n);
    return `1.${n} ${e.at.toISOString()} decision ${e.actor} subj-${n} ${canonicalJson(normalisePayload(e.payload))}`;
  };

  beforeAll(async () => {
    s = await cliStore();
    await s.withDb((db) => seedLog(db, 6));
  });
  afterAll(() => s.close());

  it("--subject: that person's events, one line each: chain.seq, at, type, actor, subject, payload", async () => {
    expect(await run(["--subject", "subj-2"])).toEqual({ code: 0, out: [line(2)], err: [] });
  });

  it("--actor with --json: one JSON object per line, every field named", async () => {
    const { code, out } = await run(["--actor", "staff:1", "--type", "decision", "--json"]);
    expect(code).toBe(0);
    const events = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e.seq)).toEqual([1, 4]);
    expect(events[0]).toEqual({
      chain: 1,
      seq: 1,
      at: "2026-01-01T00:00:01.000Z",
      type: "decision",
      actor: "staff:1",
      subjectId: "subj-1",
      payload: normalisePayload(decisionEvent(1).payload),
      prevHash: "0".repeat(64),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it("--since is inclusive, --until exclusive, any UTC offset", async () => {
    const { out } = await run([
      "--type",
      "decision",
      "--since",
      "2026-01-01T00:00:03Z",
      "--until",
      "2026-01-01T01:00:05+01:00",
    ]);
    expect(out).toEqual([line(3), line(4)]);
  });

  it("--limit: at most that many, and a note on stderr that more match", async () => {
    expect(await run(["--type", "decision", "--limit", "2"])).toEqual({
      code: 0,
      out: [line(1), line(2)],
      err: ["more events match: narrow the filters, or raise --limit (at most 10000)"],
    });
  });

  it("every read is recorded as an audit.read event by system:cli, about the subject asked for", async () => {
    await run(["--subject", "subj-5"]);
    const { out } = await run(["--type", "audit.read", "--subject", "subj-5", "--json"]);
    expect(out.map((l) => JSON.parse(l) as unknown)).toEqual([
      expect.objectContaining({
        type: "audit.read",
        actor: "system:cli",
        subjectId: "subj-5",
        payload: { via: "cli", actor: null, type: null, from: null, to: null, events: 1 },
      }),
    ]);
  });

  it.each([
    [
      ["--since", "yesterday"],
      /^pledge audit log: --since is not an ISO 8601 date and time with a UTC offset/,
    ],
    [["--since", "2026-01-01T00:00:00"], /--since is not an ISO 8601/],
    [
      ["--since", "2026-01-02T00:00:00Z", "--until", "2026-01-01T00:00:00Z"],
      /--since must be before --until/,
    ],
    [["--type", "Robert'); drop table"], /--type is not an event type/],
    [["--limit", "0"], /--limit is not a whole number from 1 to 10000/],
    [["--limit", "10001"], /--limit is not a whole number/],
    [["--frobnicate"], /Unknown option '--frobnicate'/],
  ])("refuses %j with exit 2, naming the flag, and reads nothing", async (argv, message) => {
    const { code, out, err } = await run(argv);
    expect({ code, out }).toEqual({ code: 2, out: [] });
    expect(err[0]).toMatch(message);
  });

  it("--help prints the flags and exits 0", async () => {
    const { code, out } = await run(["--help"]);
    expect(code).toBe(0);
    expect(out[0]).toMatch(
      /pledge audit log \[--subject ID\] \[--actor ACTOR\] \[--type TYPE\] \[--since TIME\] \[--until TIME\]/,
    );
  });
});
