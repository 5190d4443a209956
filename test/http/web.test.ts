import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WEB_CSP } from "../../src/http/web.routes.ts";
import { buildTestApp, type TestApp } from "../harness/app.ts";

/** The web pages' serving (src/http/web.routes.ts), on a stand-in build; the real one: test/web/. */
describe("serving the web pages", () => {
  let built: TestApp;
  let bare: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "pledge-web-stub-"));
    mkdirSync(path.join(dir, "assets"));
    writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>stub</title>");
    writeFileSync(path.join(dir, "assets", "index-abc123.js"), "export {};");
    built = await buildTestApp({ company: "zmailcloud", webRoot: dir });
    bare = await buildTestApp({ company: "zmailcloud", webRoot: path.join(dir, "missing") });
  });
  afterAll(async () => {
    await built?.close();
    await bare?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("every page of the privacy center is the same HTML, under the strict CSP, revalidated", async () => {
    for (const url of [
      "/",
      "/signin",
      "/signup",
      "/privacy",
      "/privacy/versions/2015-10-17",
      "/my/requests",
    ]) {
      const res = await built.app.inject({ method: "GET", url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain("<title>stub</title>");
      expect(res.headers["content-type"]).toMatch(/^text\/html/);
      expect(res.headers["cache-control"]).toBe("no-cache");
      expect(res.headers["content-security-policy"]).toBe(`${WEB_CSP}; frame-ancestors 'none'`);
    }
    expect(WEB_CSP).not.toMatch(/unsafe|\*|https?:/);
  });

  it("built files are cached for a year; an unknown file or page is a 404", async () => {
    const js = await built.app.inject({ method: "GET", url: "/assets/index-abc123.js" });
    expect(js.statusCode).toBe(200);
    expect(js.headers["content-type"]).toMatch(/^text\/javascript/);
    expect(js.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect((await built.app.inject({ method: "GET", url: "/assets/nothing.js" })).statusCode).toBe(404);
    expect((await built.app.inject({ method: "GET", url: "/nowhere" })).statusCode).toBe(404);
    // This build has the privacy center only: the console's pages say it is not built.
    const console = await built.app.inject({ method: "GET", url: "/console/people" });
    expect(console.statusCode).toBe(503);
    expect(console.json().code).toBe("PLEDGE_WEB_NOT_BUILT");
  });

  it("without a build the pages answer 503 PLEDGE_WEB_NOT_BUILT, and the API still works", async () => {
    const page = await bare.app.inject({ method: "GET", url: "/" });
    expect(page.statusCode).toBe(503);
    expect(page.json().code).toBe("PLEDGE_WEB_NOT_BUILT");
    expect((await bare.app.inject({ method: "GET", url: "/v1/policy" })).statusCode).toBe(200);
  });

  it("GET /v1/policy: the company's name, colour, clauses and choices; an unknown version is a 404", async () => {
    const res = await built.app.inject({ method: "GET", url: "/v1/policy" });
    const view = res.json();
    expect(view).toMatchObject({
      company: "zmailcloud",
      name: "zMailCloud",
      version: "2015-10-17",
      colour: "#0b6e4f",
    });
    expect(view.topics.map((t: { id: string }) => t.id)).toContain("newsletter");
    expect(view.clauses.find((c: { id: string }) => c.id === "ZM-06").text).toMatch(/single click/);
    expect(view.accounts.fields).toContain("email");
    expect(Object.keys(view)).not.toContain("staff");
    expect(view.versions).toEqual([
      {
        version: "2015-10-17",
        effectiveFrom: "2015-10-17T00:00:00.000Z",
        lastUpdated: "2015-10-17",
        inForce: true,
      },
    ]);
    const old = await built.app.inject({ method: "GET", url: "/v1/policy?version=2015-10-17" });
    expect(old.json().version).toBe("2015-10-17");
    const none = await built.app.inject({ method: "GET", url: "/v1/policy?version=1900-01-01" });
    expect(none.statusCode).toBe(404);
  });
});
