// Reads vitest JSON reports and prints one line "N passed, N failed"; exits 1 when anything failed
// or a report is missing (a run that crashed before writing its report counts as a failure).
import { existsSync, readFileSync } from "node:fs";

const [checkFailed, ...reports] = process.argv.slice(2);
let passed = 0;
let failed = checkFailed === "1" ? 1 : 0;
if (failed) console.log("npm run check failed (counted as one failure)");
for (const file of reports) {
  if (!existsSync(file)) {
    console.log(`${file}: no report (the run did not finish)`);
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  // A test file that fails to load has no test results but counts as a failed suite.
  const brokenFiles = report.testResults.filter(
    (r) => r.status === "failed" && r.assertionResults.length === 0,
  );
  failed += brokenFiles.length;
  for (const r of brokenFiles) console.log(`${r.name}: failed to run: ${(r.message ?? "").split("\n")[0]}`);
  // The failed tests by name, with the first lines of their message, so a log's tail says what broke.
  for (const r of report.testResults) {
    for (const a of r.assertionResults.filter((t) => t.status === "failed")) {
      const message = (a.failureMessages ?? []).join("\n").split("\n").slice(0, 6).join("\n    ");
      console.log(`FAILED ${r.name.replace(/^.*?\/test\//, "test/")} > ${a.fullName}\n    ${message}`);
    }
  }
  console.log(
    `${file}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped`,
  );
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
