import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as } from "../customers/helpers.ts";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { customer, gpcRows, grantSale } from "./helpers.ts";

/**
 * The signal as a browser sends it: a real HTTP request over a socket to a listening Pledge, the
 * `Sec-GPC: 1` header among the others, not an injected request.
 */
let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await buildTestApp({ company: "partstore" });
  await t.app.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(() => t.close());

describe("Global Privacy Control over a socket", () => {
  it("a browser's request carrying Sec-GPC: 1 records the opt-outs, and the answer says so", async () => {
    const c = await customer(t);
    await grantSale(t, c.subjectId);
    const plain = await fetch(`${base}/v1/account/me/consents`, { headers: as(c, {}, false) });
    expect(plain.status).toBe(200);
    expect(((await plain.json()) as { gpc: { honoured: boolean } }).gpc.honoured).toBe(false);
    expect(await gpcRows(t, c.subjectId)).toEqual([]);

    const signalled = await fetch(`${base}/v1/account/me/consents`, {
      headers: as(c, { "Sec-GPC": "1", "User-Agent": "Mozilla/5.0 (X11; Linux x86_64)" }, false),
    });
    expect(signalled.status).toBe(200);
    const body = (await signalled.json()) as { gpc: { honoured: boolean; at: string | null } };
    expect(body.gpc).toMatchObject({ honoured: true, at: expect.any(String) });
    expect((await gpcRows(t, c.subjectId)).map((r) => [r.target_kind, r.target, r.action])).toEqual([
      ["sharing", "catalogues", "withdrawn"],
      ["permission", "sale", "withdrawn"],
    ]);
  });
});
