import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkpoint } from "../../src/audit/checkpoint.ts";
import { loadOrCreateSigner } from "../../src/audit/keys.ts";
import { noteSignedBy, parseNote, publicKeyOfVkey } from "../../src/audit/note.ts";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { testStoreKind } from "../harness/store.ts";
import { subjectsFixture, type SubjectsFixture } from "../subjects/helpers.ts";

interface EventItem {
  chain: number;
  seq: number;
  at: string;
  type: string;
  actor: string;
  subjectId: string | null;
  payload: Record<string, unknown>;
  prevHash: string;
  hash: string;
}
interface Page {
  items: EventItem[];
  nextCursor: string | null;
}

// Values no id, hash or date can contain by chance: they must never come back from the log.
const MARKERS = { first_name: "Qzxjvwq", last_name: "Vvkzqjx", email: "qzxjvwq.vvkzqjx@example.com" };
const PURPOSE = "essential.service.account";

describe(`GET /v1/audit/events (${testStoreKind})`, () => {
  let f: SubjectsFixture;
  let a: string;
  let b: string;
  let reader: { staffId: string; key: string };
  let adminId: string;
  let admin: string;
  const events = async (query: string, key = admin) => {
    const res = await f.t.app.inject({
      method: "GET",
      url: `/v1/audit/events${query}`,
      headers: { authorization: `Bearer ${key}` },
    });
    return res;
  };
  const page = async (query: string): Promise<Page> => {
    const res = await events(query);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Page>();
  };

  beforeAll(async () => {
    f = await subjectsFixture("zones");
    ({ staffId: adminId, key: admin } = await f.t.staff("admin"));
    a = (await f.create({ fields: { ...MARKERS, phone: "+1 415 555 0142" } })).json<{ id: string }>().id;
    b = (await f.create()).json<{ id: string }>().id;
    reader = await f.t.staff("customer_service");
    for (const id of [a, b]) {
      const read = await f.req("GET", `/v1/subjects/${id}?purpose=${PURPOSE}`, { key: reader.key });
      expect(read.statusCode, read.body).toBe(200);
    }
  });
  afterAll(() => f.t.close());

  it("who read this person's record, for what purpose: the subject's events, every field named, no personal data", async () => {
    const res = await events(`?subjectId=${a}`);
    expect(res.statusCode).toBe(200);
    for (const marker of Object.values(MARKERS)) expect(res.body).not.toContain(marker);
    const { items, nextCursor } = res.json<Page>();
    expect(nextCursor).toBeNull();
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect(items.every((e) => e.subjectId === a)).toBe(true);
    expect(items.map((e) => e.seq)).toEqual([...items.map((e) => e.seq)].sort((x, y) => x - y));
    const read = items.find((e) => e.actor === `staff:${reader.staffId}`);
    expect(read).toMatchObject({
      type: "decision",
      subjectId: a,
      payload: { action: "read", purpose: PURPOSE, outcome: expect.stringMatching(/^(allow|partial)$/) },
    });
    expect(Object.keys(read!).sort()).toEqual([
      "actor",
      "at",
      "chain",
      "hash",
      "payload",
      "prevHash",
      "seq",
      "subjectId",
      "type",
    ]);
    expect(read!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("filters by actor, type and time range, together", async () => {
    const byReader = await page(`?actor=staff:${reader.staffId}&type=decision`);
    // Chain by chain, each oldest first: on Citus the two people may sit in different chains.
    expect(byReader.items.map((e) => e.subjectId).sort()).toEqual([a, b].sort());
    const first = byReader.items[0]!;
    const at = new Date(first.at);
    const justAfter = new Date(at.getTime() + 1).toISOString();
    const from = encodeURIComponent(first.at.replace("Z", "+00:00"));
    const inRange = await page(
      `?actor=staff:${reader.staffId}&from=${from}&to=${encodeURIComponent(justAfter)}`,
    );
    expect(inRange.items.map((e) => e.seq)).toEqual([first.seq]);
    const future = await page(`?from=${encodeURIComponent("2999-01-01T00:00:00+02:00")}`);
    expect(future.items).toEqual([]);
  });

  it("pages with the cursor, oldest first, until nextCursor is null", async () => {
    const all = await page("?limit=200");
    const place = (e: { chain: number; seq: number }) => [e.chain, e.seq] as const;
    const seen: (readonly [number, number])[] = [];
    let cursor: string | null = null;
    do {
      const p: Page = await page(`?limit=2${cursor === null ? "" : `&cursor=${cursor}`}`);
      expect(p.items.length).toBeLessThanOrEqual(2);
      seen.push(...p.items.map(place));
      cursor = p.nextCursor;
    } while (cursor !== null);
    // Each page's own audit.read event lands after the first page was read: it is seen on later
    // pages. Pages run chain by chain, each chain in order (one chain but on Citus).
    const inOrder = [...seen].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    expect(seen).toEqual(inOrder);
    expect(new Set(seen.map((p) => p.join("."))).size).toBe(seen.length);
    const listed = new Set(seen.map((p) => p.join(".")));
    for (const e of all.items) expect(listed.has(place(e).join("."))).toBe(true);
  });

  it("reading the log is itself recorded: an audit.read event by the admin about the subject asked for", async () => {
    const asked = await page(`?subjectId=${b}&type=decision`);
    expect(asked.items.length).toBeGreaterThanOrEqual(2); // the collect at creation, the read
    const reads = await page(`?type=audit.read&actor=staff:${adminId}&subjectId=${b}`);
    expect(reads.items).toHaveLength(1);
    expect(reads.items[0]).toMatchObject({
      type: "audit.read",
      actor: `staff:${adminId}`,
      subjectId: b,
      payload: {
        via: "api",
        actor: null,
        type: "decision",
        from: null,
        to: null,
        events: asked.items.length,
      },
    });
  });

  it.each([
    ["a time without a UTC offset", "?from=2026-01-01T00:00:00", /from/],
    [
      "from not before to",
      `?from=${encodeURIComponent("2026-02-01T00:00:00+01:00")}&to=2026-01-31T23:00:00Z`,
      /from must be before to/,
    ],
    ["a type that is not an event type", "?type=DROP%20TABLE", /type/],
    ["an actor that is not an actor label", "?actor=staff%3A%20x", /actor/],
    ["an unknown filter", "?who=me", /must NOT have additional properties|who/],
    ["a limit out of range", "?limit=0", /limit/],
  ])("400 PLEDGE_VALIDATION_FAILED for %s, and nothing is recorded", async (_what, query, detail) => {
    const before = (
      await f.t.store.db.selectFrom("audit_log").select("seq").where("type", "=", "audit.read").execute()
    ).length;
    const res = await events(query);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: "PLEDGE_VALIDATION_FAILED",
      detail: expect.stringMatching(detail),
    });
    const after = (
      await f.t.store.db.selectFrom("audit_log").select("seq").where("type", "=", "audit.read").execute()
    ).length;
    expect(after).toBe(before);
  });

  it.each([
    ["base64url that is not JSON", Buffer.from("not json").toString("base64url")],
    ["a seq that is not a number", Buffer.from(JSON.stringify({ seq: "x1" })).toString("base64url")],
    ["other members", Buffer.from(JSON.stringify({ id: "1" })).toString("base64url")],
  ])("400 PLEDGE_INVALID_CURSOR for a cursor with %s", async (_what, cursor) => {
    const res = await events(`?cursor=${cursor}`);
    expect(res.statusCode).toBe(400);
    expect(res.json<{ code: string }>().code).toBe("PLEDGE_INVALID_CURSOR");
  });

  it("admins only: another staff role is 403, no key is 401", async () => {
    expect((await events("", reader.key)).json()).toMatchObject({
      status: 403,
      code: "PLEDGE_FORBIDDEN_ROLE",
    });
    const anon = await f.t.app.inject({ method: "GET", url: "/v1/audit/events" });
    expect(anon.json()).toMatchObject({ status: 401, code: "PLEDGE_AUTH_MISSING" });
  });
});

describe(`the public checkpoint and its key (${testStoreKind})`, () => {
  let t: TestApp;
  let dir: string;
  let signer: ReturnType<typeof loadOrCreateSigner>["signer"];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pledge-audit-routes-"));
    signer = loadOrCreateSigner(join(dir, "audit-signing.key")).signer;
    const { createPublicKey } = await import("node:crypto");
    t = await buildTestApp({
      env: { PLEDGE_PUBLIC_URL: "https://privacy.example.test" },
      auditPublicKey: createPublicKey(signer.privateKey),
    });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("404 before any checkpoint; then the newest signed note, text/plain, to anyone, verifiable with the published key", async () => {
    const none = await t.app.inject({ method: "GET", url: "/v1/audit/checkpoint" });
    expect(none.json()).toMatchObject({ status: 404, code: "PLEDGE_NOT_FOUND" });

    await checkpoint(t.store.db, signer, new Date(), "privacy.example.test/audit");
    const cp = await checkpoint(t.store.db, signer, new Date(), "privacy.example.test/audit");
    const res = await t.app.inject({ method: "GET", url: "/v1/audit/checkpoint" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(res.body).toBe(cp.note);

    const key = await t.app.inject({ method: "GET", url: "/v1/audit/checkpoint/key" });
    expect(key.statusCode).toBe(200);
    expect(key.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(key.body).toMatch(/^privacy\.example\.test\/audit\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}\n$/);
    const note = parseNote(res.body);
    expect(note).toMatchObject({ origin: "privacy.example.test/audit", size: cp.seq, hash: cp.hash });
    expect(noteSignedBy(note, publicKeyOfVkey(key.body))).toBe(true);
    expect(noteSignedBy(note, generateKeyPairSync("ed25519").publicKey)).toBe(false);
  });

  it("the OpenAPI document describes the three routes", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json<{
      paths: Record<string, unknown>;
    }>();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/v1/audit/checkpoint", "/v1/audit/checkpoint/key", "/v1/audit/events"]),
    );
  });

  it("a node not given the public key says so with 404", async () => {
    const bare = await buildTestApp();
    try {
      const res = await bare.app.inject({ method: "GET", url: "/v1/audit/checkpoint/key" });
      expect(res.json()).toMatchObject({ status: 404, code: "PLEDGE_NOT_FOUND" });
    } finally {
      await bare.close();
    }
  });
});
