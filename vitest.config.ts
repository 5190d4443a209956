import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { testFilesUsingTheStore } from "./test/harness/store-users.ts";

const root = fileURLToPath(new URL(".", import.meta.url));

// The PostgreSQL and Citus passes run only the files that reach the store under test; the rest give
// the same answer on every store and run once, on the embedded pass (test/harness/store-users.ts).
const onServer = ["postgres", "citus"].includes(process.env.PLEDGE_TEST_STORE ?? "");

export default defineConfig({
  test: {
    include: onServer ? testFilesUsingTheStore(root) : ["test/**/*.test.ts", "src/**/*.test.ts"],
    globalSetup: ["test/harness/global-setup.ts"],
    // Guards against a hang, not measures: a test that spawns `pledge` processes takes 30 s on an
    // idle 2-core machine and twice that or more beside a CPU-heavy process (docs/testing.md).
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: "forks",
    maxWorkers: 2,
    // Each worker process runs file after file with its modules loaded once. No test mocks a module
    // or changes the environment, and each opens its own store, so files share nothing else; a
    // fresh process per file cost more than the tests themselves on two cores.
    isolate: false,
  },
});
