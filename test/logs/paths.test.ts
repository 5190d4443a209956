import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/http/logger.ts";
import { buildTestApp, type TestApp } from "../harness/app.ts";

/**
 * A caller can put anything in a path: an email address where an id belongs, a name on a route
 * that does not exist, the capability token of an unsubscribe link. The log keeps the route and
 * its ids, and nothing else that came in the path.
 */
let lines = "";
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    lines += chunk.toString();
    done();
  },
});

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await buildTestApp({ company: "zones", logger: createLogger("info", sink) });
  admin = await t.apiKey("admin");
});
afterAll(() => t.close());

function pathsLogged(): string[] {
  return lines
    .split("\n")
    .filter((l) => l.includes('"path"'))
    .map((l) => (JSON.parse(l) as { req: { path: string } }).req.path);
}

async function get(url: string) {
  lines = "";
  const res = await t.app.inject({ method: "GET", url, headers: { authorization: `Bearer ${admin}` } });
  return { status: res.statusCode, paths: pathsLogged(), raw: lines };
}

describe("paths in the request log", () => {
  it("an email address where a subject id belongs is logged as [redacted] on the route's pattern", async () => {
    const email = "wilhelmina.quarterbridge@example.org";
    const { status, paths, raw } = await get(`/v1/subjects/${encodeURIComponent(email)}/export?purpose=x`);
    expect(status).toBe(400);
    expect(paths).toEqual(["/v1/subjects/[redacted]/export"]);
    expect(raw).not.toContain("wilhelmina");
    expect(raw).not.toContain("quarterbridge");
  });

  it("ids are kept: a UUID and a value of the parameter's closed list", async () => {
    const id = randomUUID();
    lines = "";
    const res = await t.app.inject({
      method: "POST",
      url: `/v1/subjects/${id}/channels/email/stop`,
      headers: { authorization: `Bearer ${admin}` },
      payload: { purpose: "x" },
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(pathsLogged()).toEqual([`/v1/subjects/${id}/channels/email/stop`]);
  });

  it("a value outside the parameter's closed list is redacted", async () => {
    const id = randomUUID();
    lines = "";
    await t.app.inject({
      method: "POST",
      url: `/v1/subjects/${id}/channels/quarterbridge/stop`,
      headers: { authorization: `Bearer ${admin}` },
      payload: { purpose: "x" },
    });
    expect(pathsLogged()).toEqual([`/v1/subjects/${id}/channels/[redacted]/stop`]);
  });

  it("a path no route matches keeps the words routes are made of and UUIDs, nothing else", async () => {
    const id = randomUUID();
    const { status, paths, raw } = await get(
      `/v1/subjects/${id}/wilhelmina/Quarterbridge%40example.org/orders`,
    );
    expect(status).toBe(404);
    expect(paths).toEqual([`/v1/subjects/${id}/[redacted]/[redacted]/orders`]);
    expect(raw.toLowerCase()).not.toContain("quarterbridge");
  });

  it("an unsubscribe token never reaches the log, with or without a query string", async () => {
    for (const url of ["/u/tok_abcdef123456", "/u/tok_abcdef123456?x=1"]) {
      const { paths, raw } = await get(url);
      expect(paths).toEqual(["/u/[redacted]"]);
      expect(raw).not.toContain("tok_abcdef123456");
    }
  });

  it("a query string is never logged", async () => {
    const { paths, raw } = await get("/v1/subjects?email=wilhelmina@example.org");
    expect(paths).toEqual(["/v1/subjects"]);
    expect(raw).not.toContain("wilhelmina");
  });
});
