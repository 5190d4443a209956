import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, loggedPath } from "../../src/http/logger.ts";

describe("request paths in the log", () => {
  it("an unsubscribe token never reaches the log, with or without a query string", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger("info", sink);
    logger.info({ req: { id: "r1", method: "POST", url: "/u/tok_abcdef123456?x=1" } }, "request");
    expect(lines.join("")).toContain('"path":"/u/[token]"');
    expect(lines.join("")).not.toContain("tok_abcdef123456");
  });

  it("other paths are logged as they are, without the query string", () => {
    expect(loggedPath("/v1/subjects/abc?purpose=x")).toBe("/v1/subjects/abc");
    expect(loggedPath("/users/u/1")).toBe("/users/u/1");
  });
});
