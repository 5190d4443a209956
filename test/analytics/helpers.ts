import type { LightMyRequestResponse } from "fastify";
import { buildTestApp, type TestApp } from "../harness/app.ts";

/** A test app on a pack, with a clock the test moves, and a way to send hits as a browser does. */
export interface AnalyticsFixture {
  readonly t: TestApp;
  readonly admin: string;
  readonly analyst: string;
  /** Sets the app's clock. */
  at(instant: string): void;
  hit(opts: {
    page: string;
    referrer?: string;
    ip: string;
    ua?: string;
    headers?: Record<string, string>;
  }): Promise<number>;
  get(url: string, key: string): Promise<LightMyRequestResponse>;
  post(url: string, body: unknown, key: string): Promise<LightMyRequestResponse>;
}

export async function analyticsFixture(company: string, start: string): Promise<AnalyticsFixture> {
  let now = new Date(start);
  const t = await buildTestApp({ company, clock: () => now });
  const admin = await t.apiKey("admin");
  const analyst = await t.apiKey("analyst");
  return {
    t,
    admin,
    analyst,
    at(instant) {
      now = new Date(instant);
    },
    async hit({ page, referrer, ip, ua = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", headers = {} }) {
      const res = await t.app.inject({
        method: "POST",
        url: "/v1/analytics/hits",
        remoteAddress: ip,
        // What sendBeacon and a no-cors fetch send: a JSON string as text/plain.
        headers: { "content-type": "text/plain;charset=UTF-8", "user-agent": ua, ...headers },
        payload: JSON.stringify(referrer === undefined ? { page } : { page, referrer }),
      });
      return res.statusCode;
    },
    get: (url, key) => t.app.inject({ method: "GET", url, headers: { authorization: `Bearer ${key}` } }),
    post: (url, body, key) =>
      t.app.inject({
        method: "POST",
        url,
        payload: body as object,
        headers: { authorization: `Bearer ${key}` },
      }),
  };
}

/** Hits of `visitors` distinct visitors (one address each, 10.0.<n>.1) on `path`. */
export async function visits(
  f: AnalyticsFixture,
  site: string,
  paths: readonly string[],
  visitors: { from: number; count: number },
  referrer?: string,
): Promise<void> {
  for (let v = visitors.from; v < visitors.from + visitors.count; v++) {
    for (const path of paths) {
      const code = await f.hit({
        page: `https://${site}${path}`,
        ip: `10.${Math.floor(v / 250)}.${v % 250}.1`,
        ...(referrer === undefined ? {} : { referrer }),
      });
      if (code !== 204) throw new Error(`hit answered ${code}`);
    }
  }
}
