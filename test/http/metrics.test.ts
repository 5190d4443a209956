import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkpoint } from "../../src/audit/checkpoint.ts";
import { loadOrCreateSigner } from "../../src/audit/keys.ts";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { signedUp } from "../customers/helpers.ts";

/**
 * `GET /metrics`: served only with PLEDGE_METRICS_TOKEN set and to that token; the counters move
 * by what was done, with route patterns and closed label sets, never a value from a request.
 */
const TOKEN = "metrics-token-for-the-test-0123456789abcdef";
let t: TestApp;
let now = new Date("2026-04-01T08:00:00Z");
beforeAll(async () => {
  t = await buildTestApp({ clock: () => now, env: { PLEDGE_METRICS_TOKEN: TOKEN } });
});
afterAll(() => t.close());

const scrape = async () => {
  const res = await t.app.inject({
    method: "GET",
    url: "/metrics",
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.body;
};

/** The value of the sample `name` whose labels include `labels`; 0 when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const got = Object.fromEntries(
      [...(m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return 0;
}

describe("GET /metrics", () => {
  it("is not served without PLEDGE_METRICS_TOKEN", async () => {
    const plain = await buildTestApp();
    try {
      const res = await plain.app.inject({ method: "GET", url: "/metrics" });
      expect(res.statusCode).toBe(404);
      expect(plain.app.routeUses.some((r) => r.url === "/metrics")).toBe(false);
    } finally {
      await plain.close();
    }
  });

  it("asks for the token: none, a wrong one or a staff key is 401 PLEDGE_METRICS_UNAUTHORIZED", async () => {
    const key = await t.apiKey("admin");
    for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Bearer ${key}`, TOKEN]) {
      const res = await t.app.inject({
        method: "GET",
        url: "/metrics",
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: "PLEDGE_METRICS_UNAUTHORIZED" });
      expect(res.body).not.toContain(TOKEN);
    }
  });

  it("counts requests by route pattern and status class, and decisions by outcome", async () => {
    const before = await scrape();
    const rowKey = (r: { chain: number; seq: number }) => `${r.chain}.${r.seq}`;
    const decisionsBefore = new Set(
      (
        await t.store.db
          .selectFrom("audit_log")
          .select(["chain", "seq"])
          .where("type", "=", "decision")
          .execute()
      ).map(rowKey),
    );
    // A customer signs up: one `collect` decision of the use kernel, allowed.
    const customer = await signedUp(t.app);
    // Staff read that record twice by id (route /v1/subjects/:id), and ask for an unknown id.
    const key = await t.apiKey("admin");
    const read = (id: string) =>
      t.app.inject({
        method: "GET",
        url: `/v1/subjects/${id}?purpose=essential.service.order_fulfilment`,
        headers: { authorization: `Bearer ${key}` },
      });
    const reads = [await read(customer.subjectId), await read(customer.subjectId), await read(randomUUID())];
    // POST /v1/decisions: a marketing email to someone with no objection, and to someone suppressed.
    const marketer = await t.apiKey("marketing");
    const decide = (suppressed: string[]) =>
      t.app.inject({
        method: "POST",
        url: "/v1/decisions",
        headers: { authorization: `Bearer ${marketer}` },
        payload: {
          use: {
            action: "send",
            purpose: "marketing.communications",
            fields: ["email", "first_name"],
            channel: "email",
            messageClass: "marketing",
          },
          facts: {
            subject: {
              status: "customer",
              age: 40,
              jurisdiction: "US",
              consents: {},
              optOuts: [],
              suppressed,
              permissions: [],
            },
          },
        },
      });
    const asked = [await decide([]), await decide(["email"])];
    const outcomes = asked.map((r) => (r.json() as { decision: { outcome: string } }).decision.outcome);
    expect(outcomes[1]).toBe("deny");
    const after = await scrape();

    const delta = (name: string, labels: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    const route = "/v1/subjects/:id";
    const byClass = new Map<string, number>();
    for (const r of reads) {
      const cls = `${Math.floor(r.statusCode / 100)}xx`;
      byClass.set(cls, (byClass.get(cls) ?? 0) + 1);
    }
    for (const [status_class, n] of byClass)
      expect(delta("pledge_http_requests_total", { method: "GET", route, status_class })).toBe(n);
    expect(delta("pledge_http_request_duration_seconds_count", { method: "GET", route })).toBe(3);
    expect(
      delta("pledge_http_requests_total", { method: "POST", route: "/v1/decisions", status_class: "2xx" }),
    ).toBe(2);
    expect(
      delta("pledge_http_requests_total", {
        method: "POST",
        route: "/v1/account/signup",
        status_class: "2xx",
      }),
    ).toBe(1);
    // The previous scrape is counted too, by its pattern.
    expect(
      delta("pledge_http_requests_total", { method: "GET", route: "/metrics", status_class: "2xx" }),
    ).toBe(1);

    const label = { allow: "allowed", deny: "refused", partial: "partial" } as Record<string, string>;
    const expected = new Map<string, number>();
    for (const o of outcomes) expected.set(label[o]!, (expected.get(label[o]!) ?? 0) + 1);
    for (const [outcome, n] of expected)
      expect(delta("pledge_gate_decisions_total", { outcome, action: "send" })).toBe(n);
    expect(delta("pledge_gate_decisions_total", { outcome: "allowed", action: "collect" })).toBe(1);
    // Every decision audited in between is counted once, under its outcome and action (the reads
    // of a known and of an unknown id included: the kernel decides and audits both).
    const audited = (
      await t.store.db
        .selectFrom("audit_log")
        .select(["chain", "seq", "payload"])
        .where("type", "=", "decision")
        .execute()
    ).filter((r) => !decisionsBefore.has(rowKey(r)));
    const counts = new Map<string, number>();
    for (const { payload } of audited) {
      const p = payload as { outcome: string; action: string };
      const k = `${label[p.outcome]!} ${p.action}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(audited.length).toBeGreaterThanOrEqual(6);
    for (const [k, n] of counts) {
      const [outcome, action] = k.split(" ") as [string, string];
      expect(delta("pledge_gate_decisions_total", { outcome, action }), k).toBe(n);
    }
    // Nothing from a path or a body: no id, no address, no key.
    for (const value of [customer.subjectId, customer.email, key, "order_fulfilment"])
      expect(after).not.toContain(value);
    expect(after).toContain("process_cpu_user_seconds_total");
    expect(after).toContain("nodejs_eventloop_lag_seconds");
  });

  it("reports how far the audit log runs ahead of its last signed checkpoint", async () => {
    await signedUp(t.app);
    const heads = await t.store.db.selectFrom("audit_head").select("seq").execute();
    const rows = heads.reduce((n, h) => n + Number(h.seq), 0);
    const first = await t.store.db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.min("at").as("at"))
      .executeTakeFirstOrThrow();
    now = new Date(now.getTime() + 90_000);
    let text = await scrape();
    expect(sample(text, "pledge_audit_unsigned_rows")).toBe(rows);
    expect(sample(text, "pledge_audit_unsigned_age_seconds")).toBe(
      (now.getTime() - new Date(first.at!).getTime()) / 1000,
    );
    const dir = mkdtempSync(join(tmpdir(), "pledge-metrics-key-"));
    try {
      await checkpoint(
        t.store.db,
        loadOrCreateSigner(join(dir, "audit-signing.key")).signer,
        now,
        "pledge.test/audit",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    text = await scrape();
    expect(sample(text, "pledge_audit_unsigned_rows")).toBe(0);
    expect(sample(text, "pledge_audit_unsigned_age_seconds")).toBe(0);
  });

  it("reports the send queue of campaigns that are sending", async () => {
    const campaign = async (status: "sending" | "stopped", states: string[]) => {
      const id = randomUUID();
      await t.store.db
        .insertInto("campaigns")
        .values({
          campaign_id: id,
          name: "queue depth",
          purpose: "marketing.communications",
          topic: null,
          message_class: "marketing",
          channel: "email",
          recipient: null,
          subject_line: "hello",
          body_text: "hello",
          body_html: null,
          status,
          policy_version: null,
          audience_size: states.length,
          stopped_reason: null,
          stopped_clause: null,
          created_at: now,
          created_by: "test",
          started_at: now,
          finished_at: null,
        })
        .execute();
      for (const state of states)
        await t.store.db
          .insertInto("campaign_messages")
          .values({
            message_id: randomUUID(),
            campaign_id: id,
            subject_id: randomUUID(),
            state: state as "queued",
            last_error: null,
            queued_at: now,
            sent_at: null,
            header_message_id: null,
          })
          .execute();
    };
    await campaign("sending", ["queued", "queued", "queued", "sending", "sent", "skipped"]);
    await campaign("stopped", ["queued", "queued"]);
    const text = await scrape();
    expect(sample(text, "pledge_send_queue_depth", { state: "queued" })).toBe(3);
    expect(sample(text, "pledge_send_queue_depth", { state: "sending" })).toBe(1);
  });
});
