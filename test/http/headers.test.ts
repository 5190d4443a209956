import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../harness/app.ts";

/** Every answer, whatever route or error wrote it, carries the headers below (issue: headers). */
let direct: TestApp;
let proxied: TestApp;
let admin: string;
beforeAll(async () => {
  direct = await buildTestApp();
  proxied = await buildTestApp({ env: { PLEDGE_TRUST_PROXY: "1" } });
  admin = await direct.apiKey("admin");
});
afterAll(async () => {
  await direct.close();
  await proxied.close();
});

function expectCommon(headers: Record<string, unknown>) {
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("no-referrer");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(String(headers["content-security-policy"])).toMatch(/(^|; )frame-ancestors 'none'$/);
}

describe("headers on every answer", () => {
  it("an API answer: no-store, nosniff, no framing, no referrer, CSP that allows nothing", async () => {
    const res = await direct.app.inject({
      method: "GET",
      url: "/v1/subjects",
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(res.statusCode).toBe(200);
    expectCommon(res.headers);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.headers["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers["strict-transport-security"]).toBeUndefined();
  });

  it("errors carry them too: 401 without a key, 404 for no route, 400 for a bad body", async () => {
    const answers = await Promise.all([
      direct.app.inject({ method: "GET", url: "/v1/subjects" }),
      direct.app.inject({ method: "GET", url: "/v1/no-such-route" }),
      direct.app.inject({
        method: "POST",
        url: "/v1/decisions",
        headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
        payload: "{",
      }),
    ]);
    expect(answers.map((r) => r.statusCode)).toEqual([401, 404, 400]);
    for (const res of answers) {
      expectCommon(res.headers);
      expect(res.headers["cache-control"]).toBe("no-store");
    }
  });

  it("the public policy cannot be framed, keeps its own CSP, and is revalidated rather than never kept", async () => {
    const res = await direct.app.inject({ method: "GET", url: "/policy" });
    expect(res.statusCode).toBe(200);
    expectCommon(res.headers);
    expect(res.headers["content-security-policy"]).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    );
    expect(res.headers["cache-control"]).toBe("no-cache");
  });

  it("the API docs have a CSP that runs only Pledge's own scripts, loads nothing from elsewhere, and forbids framing", async () => {
    const res = await direct.app.inject({ method: "GET", url: "/docs" });
    expect(res.statusCode).toBe(200);
    expectCommon(res.headers);
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("validator.swagger.io");
    expect(csp).not.toMatch(/https:|unsafe-inline/);
    expect(csp).not.toContain("upgrade-insecure-requests");
    expect(csp).not.toContain("frame-ancestors 'self'");
  });

  it("HSTS only over HTTPS: a forwarded scheme is believed only when the proxy is trusted", async () => {
    const forwarded = { "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.9" };
    const untrusted = await direct.app.inject({ method: "GET", url: "/policy", headers: forwarded });
    expect(untrusted.headers["strict-transport-security"]).toBeUndefined();

    const trusted = await proxied.app.inject({ method: "GET", url: "/policy", headers: forwarded });
    expect(trusted.headers["strict-transport-security"]).toBe("max-age=31536000");

    const plain = await proxied.app.inject({
      method: "GET",
      url: "/policy",
      headers: { "x-forwarded-proto": "http" },
    });
    expect(plain.headers["strict-transport-security"]).toBeUndefined();
  });
});
