import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildReport, clauseIdsOf } from "../../scripts/conformance.ts";

const root = path.resolve(import.meta.dirname, "../..");
const file = (pack: string, name: string): string => path.join(root, "test/conformance", pack, name);

describe("conformance report", () => {
  it("reads one or several clause ids at the start of a test title", () => {
    expect(clauseIdsOf("PS-05: suppressed addresses get no marketing")).toEqual(["PS-05"]);
    expect(clauseIdsOf("Z16-04, Z19-03: partners never get email addresses")).toEqual(["Z16-04", "Z19-03"]);
    expect(clauseIdsOf("rule 4: not a clause")).toEqual([]);
    expect(clauseIdsOf("mentions PS-05 later")).toEqual([]);
  });

  it("marks a clause proven only when its tests ran in this pack's folder and all passed", () => {
    const packs = new Map([["partstore", ["PS-05", "PS-06", "PS-07", "PS-08"]]]);
    const report = buildReport(packs, {
      testResults: [
        {
          name: file("partstore", "messages.test.ts"),
          assertionResults: [
            { title: "PS-05: refused", ancestorTitles: [], status: "passed" },
            { title: "PS-05: still refused after deletion", ancestorTitles: [], status: "passed" },
            { title: "PS-06: allowed", ancestorTitles: [], status: "passed" },
            { title: "PS-06: allowed on post", ancestorTitles: [], status: "failed" },
            { title: "PS-07: skipped for now", ancestorTitles: [], status: "skipped" },
          ],
        },
        {
          // A test in another pack's folder does not prove this pack's clause.
          name: file("zmailcloud", "x.test.ts"),
          assertionResults: [{ title: "PS-08: elsewhere", ancestorTitles: [], status: "passed" }],
        },
      ],
    });
    const partstore = report.packs.partstore!;
    expect(partstore["PS-05"]).toEqual({
      status: "proven",
      tests: ["PS-05: refused", "PS-05: still refused after deletion"],
    });
    expect(partstore["PS-06"]?.status).toBe("not yet");
    expect(partstore["PS-07"]?.status).toBe("not yet");
    expect(partstore["PS-08"]).toEqual({ status: "not yet", tests: [] });
  });
});
