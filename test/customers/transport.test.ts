import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installErrorHandling } from "../../src/http/error-handler.ts";
import { requireSecureTransport } from "../../src/http/session.ts";

/** Customer routes need HTTPS: plain HTTP is allowed on localhost, and behind a trusted proxy. */
const app = Fastify();
const strict = Fastify();
beforeAll(async () => {
  for (const [instance, trust] of [
    [app, true],
    [strict, false],
  ] as const) {
    installErrorHandling(instance);
    instance.get(
      "/x",
      { preHandler: requireSecureTransport({ trustForwardedProto: trust, allowHttpOnLocalhost: !trust }) },
      async () => ({ ok: true }),
    );
    await instance.ready();
  }
});
afterAll(async () => {
  await app.close();
  await strict.close();
});

describe("requireSecureTransport", () => {
  it("takes X-Forwarded-Proto: https only when told to trust the proxy", async () => {
    const headers = { host: "shop.example.com", "x-forwarded-proto": "https" };
    expect((await app.inject({ url: "/x", headers })).statusCode).toBe(200);
    const refused = await strict.inject({ url: "/x", headers });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: "PLEDGE_TLS_REQUIRED" });
  });

  it("serves plain HTTP on localhost only when development allows it", async () => {
    expect((await strict.inject({ url: "/x", headers: { host: "localhost:4000" } })).statusCode).toBe(200);
    expect((await strict.inject({ url: "/x", headers: { host: "127.0.0.1:4000" } })).statusCode).toBe(200);
    expect((await app.inject({ url: "/x", headers: { host: "localhost:4000" } })).statusCode).toBe(403);
    expect((await app.inject({ url: "/x", headers: { host: "shop.example.com" } })).statusCode).toBe(403);
  });
});
