import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../harness/app.ts";

/**
 * `POST /v1/analytics/hits` is public: one source sending more than PLEDGE_ANALYTICS_HITS_PER_MINUTE
 * is refused (429, with Retry-After) and nothing of the refused hits is stored; other sources go on.
 */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ company: "zones", env: { PLEDGE_ANALYTICS_HITS_PER_MINUTE: "3" } });
});
afterAll(() => t.close());

const hit = (ip: string, n: number) =>
  t.app.inject({
    method: "POST",
    url: "/v1/analytics/hits",
    remoteAddress: ip,
    headers: { "content-type": "text/plain;charset=UTF-8", "user-agent": "Mozilla/5.0 Firefox/133.0" },
    payload: JSON.stringify({ page: `https://flood.example/p${n}` }),
  });

const stored = async () =>
  (await t.store.db.selectFrom("page_views").select("path").where("site", "=", "flood.example").execute())
    .length;

describe("the hits endpoint's limit per source", () => {
  it("takes the limit from one source a minute, refuses the rest with nothing stored, and takes other sources", async () => {
    for (let n = 0; n < 3; n++) expect((await hit("198.51.100.9", n)).statusCode).toBe(204);
    const refused = await hit("198.51.100.9", 3);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe("PLEDGE_RATE_LIMITED");
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect(refused.body).not.toContain("198.51.100");
    expect(await stored()).toBe(3);
    // An IPv6 client counts by its /64: another address of the same /64 is the same source.
    for (let n = 0; n < 3; n++) expect((await hit(`2001:db8:1:2::${n + 1}`, 10 + n)).statusCode).toBe(204);
    expect((await hit("2001:db8:1:2:ffff::9", 13)).statusCode).toBe(429);
    expect((await hit("203.0.113.4", 20)).statusCode).toBe(204);
    expect(await stored()).toBe(7);
  });
});
