import { unzipSync, strFromU8 } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import { expireUnverified } from "../../src/modules/requests/requests.verify.ts";
import { PolicyBook } from "../../src/policy/book.ts";
import { loadPolicyHistory } from "../../src/policy/history.ts";
import { POLICIES_DIR } from "../harness/app.ts";
import { until } from "../harness/wait.ts";
import { as, signedUp } from "../customers/helpers.ts";
import {
  linkIn,
  METRICS_TOKEN,
  requestsFixture,
  subjectLine,
  textOf,
  type RequestsFixture,
} from "./helpers.ts";

/** Rights requests end to end through the API, from each intake to the email the person receives. */
let f: RequestsFixture;
beforeAll(async () => {
  f = await requestsFixture();
});
afterAll(() => f.close());

const DAY = 86_400_000;
/** Unique letters for test values (a long run of digits could pass as a card number and be refused). */
const letters = () =>
  Array.from({ length: 10 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join("");

describe("staff-assisted intake", () => {
  it("matches on email, verifies, starts the CCPA clock (45 days) and acknowledges by email", async () => {
    const p = await f.person();
    const res = await f.req("POST", "/v1/requests", {
      body: { kind: "access", claimant: { email: p.email.toUpperCase() } },
    });
    expect(res.statusCode).toBe(201);
    const r = res.json().request;
    expect(r).toMatchObject({
      kind: "access",
      state: "verified",
      intake: "staff",
      subjectId: p.id,
      law: "ccpa",
      jurisdiction: "US-CA",
    });
    expect(r.dueDate).toBe("2026-04-16"); // 2 March 2026 + 45 days
    expect(r.acknowledgeBy).not.toBeNull();
    expect(r.overdue).toBe(false);
    const ack = await f.notice(p.email, /received your privacy request/);
    expect(textOf(ack)).toContain("2026-04-16");
  });

  it("two people at one address with one name: nobody is acted on and more is asked for (422)", async () => {
    const shared = { lastName: `Twin${letters()}`, line1: "77 Shared Lane" };
    const a = await f.person(shared);
    await f.person(shared);
    const before = await f.t.store.db.selectFrom("rights_requests").select("request_id").execute();
    const res = await f.req("POST", "/v1/requests", {
      body: {
        kind: "deletion",
        claimant: {
          firstName: a.firstName,
          lastName: a.lastName,
          postalAddress: a.address,
          zip: a.address.postalCode,
        },
      },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe("PLEDGE_REQUEST_AMBIGUOUS_MATCH");
    expect(res.body).not.toContain(a.lastName);
    const after = await f.t.store.db.selectFrom("rights_requests").select("request_id").execute();
    expect(after.length).toBe(before.length);
    const byEmail = await f.req("POST", "/v1/requests", {
      body: { kind: "deletion", claimant: { email: a.email } },
    });
    expect(byEmail.statusCode).toBe(201);
  });

  it("details that fit nobody: 422 PLEDGE_REQUEST_NO_MATCH, nothing written", async () => {
    const res = await f.req("POST", "/v1/requests", {
      body: { kind: "access", claimant: { email: "nobody-here@example.com" } },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe("PLEDGE_REQUEST_NO_MATCH");
  });

  it("a second request of the same kind while one is open is the same request (200, repeated)", async () => {
    const p = await f.person();
    const first = await f.req("POST", "/v1/requests", {
      body: { kind: "portable_export", claimant: { email: p.email } },
    });
    const second = await f.req("POST", "/v1/requests", {
      body: { kind: "portable_export", claimant: { email: p.email } },
    });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ repeated: true, request: { id: first.json().request.id } });
  });

  it("an opt-out of sale is done at once and written to the consent ledger", async () => {
    const p = await f.person();
    const res = await f.req("POST", "/v1/requests", {
      body: { kind: "opt_out_sale", claimant: { email: p.email } },
    });
    expect(res.json().request).toMatchObject({ state: "fulfilled", closedAt: expect.any(String), due: null });
    const done = await f.req("GET", `/v1/requests/${res.json().request.id}`);
    expect(done.json().history.map((h: { to: string }) => h.to)).toEqual([
      "received",
      "verified",
      "fulfilled",
    ]);
  });
});

describe("the state machine", () => {
  it("an extension needs its reason, happens once, adds 45 days, and tells the person", async () => {
    const p = await f.person();
    const id = (
      await f.req("POST", "/v1/requests", { body: { kind: "access", claimant: { email: p.email } } })
    ).json().request.id;
    expect((await f.move(id, { to: "in_progress" })).statusCode).toBe(200);
    const bare = await f.move(id, { to: "extended" });
    expect(bare.statusCode).toBe(409);
    expect(bare.json().code).toBe("PLEDGE_REQUEST_EXTENSION_REFUSED");
    const ext = await f.move(id, { to: "extended", extensionReason: "the records are in an archive" });
    expect(ext.statusCode).toBe(200);
    expect(ext.json()).toMatchObject({ state: "extended", extended: true, dueDate: "2026-05-31" });
    const notice = await f.notice(p.email, /needs more time/);
    expect(textOf(notice)).toContain("the records are in an archive");
    expect(textOf(notice)).toContain("2026-05-31");
    const again = await f.move(id, { to: "waiting_on_person" });
    expect(again.statusCode).toBe(200);
  });

  it("a denial needs a reason from the closed list; a closed request moves nowhere", async () => {
    const p = await f.person();
    const id = (
      await f.req("POST", "/v1/requests", { body: { kind: "deletion", claimant: { email: p.email } } })
    ).json().request.id;
    const bare = await f.move(id, { to: "denied" });
    expect(bare.statusCode).toBe(400);
    const denied = await f.move(id, { to: "denied", reason: "suspected_fraud" });
    expect(denied.json()).toMatchObject({ state: "denied", denialReason: "suspected_fraud" });
    const notice = await f.notice(p.email, /cannot complete/);
    expect(textOf(notice)).toMatch(/appears not to come from the person/);
    const reopen = await f.move(id, { to: "in_progress" });
    expect(reopen.statusCode).toBe(409);
    expect(reopen.json().code).toBe("PLEDGE_REQUEST_TRANSITION_INVALID");
  });

  it("a move without If-Match, or with a stale version, changes nothing", async () => {
    const p = await f.person();
    const id = (
      await f.req("POST", "/v1/requests", { body: { kind: "access", claimant: { email: p.email } } })
    ).json().request.id;
    const none = await f.req("POST", `/v1/requests/${id}/moves`, { body: { to: "in_progress" } });
    expect(none.statusCode).toBe(428);
    const stale = await f.req("POST", `/v1/requests/${id}/moves`, {
      body: { to: "in_progress" },
      headers: { "if-match": '"1"' },
    });
    expect(stale.statusCode).toBe(412);
    expect((await f.req("GET", `/v1/requests/${id}`)).json().state).toBe("verified");
  });
});

describe("the signed-in customer", () => {
  it("downloads the package of their own fulfilled access request with the session; nobody else's, nor one not done", async () => {
    const c = await signedUp(f.t.app);
    const other = await signedUp(f.t.app);
    const made = await f.t.app.inject({
      method: "POST",
      url: "/v1/account/requests",
      headers: as(c),
      payload: { kind: "portable_export" },
    });
    const id = made.json().request.id as string;
    const url = `/v1/account/requests/${id}/package`;
    const early = await f.t.app.inject({ method: "GET", url, headers: as(c, {}, false) });
    expect(early.statusCode).toBe(404);
    expect((await f.move(id, { to: "fulfilled" })).json().state).toBe("fulfilled");
    const zip = await f.t.app.inject({ method: "GET", url, headers: as(c, {}, false) });
    expect(zip.statusCode).toBe(200);
    expect(zip.headers["content-type"]).toBe("application/zip");
    expect(zip.headers["cache-control"]).toBe("no-store");
    const files = unzipSync(new Uint8Array(zip.rawPayload));
    expect(strFromU8(files["data.json"]!)).toContain(c.email);
    const theirs = await f.t.app.inject({ method: "GET", url, headers: as(other, {}, false) });
    expect(theirs.statusCode).toBe(404);
    expect(theirs.body).not.toContain(c.email);
    expect((await f.t.app.inject({ method: "GET", url })).statusCode).toBe(401);
    const audited = await f.t.store.db
      .selectFrom("audit_log")
      .select("actor")
      .where("type", "=", "request.downloaded")
      .where("subject_id", "=", c.subjectId)
      .execute();
    expect(audited).toEqual([{ actor: `customer:${c.subjectId}` }]);
  });

  it("asks for their data; staff fulfil; the email's link downloads one ZIP with JSON and CSV, for a week", async () => {
    const c = await signedUp(f.t.app);
    const made = await f.t.app.inject({
      method: "POST",
      url: "/v1/account/requests",
      headers: as(c),
      payload: { kind: "access", jurisdiction: "us_ca" },
    });
    expect(made.statusCode).toBe(201);
    const r = made.json().request;
    expect(r).toMatchObject({ state: "verified", intake: "customer", subjectId: c.subjectId, law: "ccpa" });
    const mine = await f.t.app.inject({ method: "GET", url: "/v1/account/requests", headers: as(c) });
    expect(mine.json().items.map((i: { id: string }) => i.id)).toEqual([r.id]);
    const done = await f.move(r.id, { to: "fulfilled" });
    expect(done.json().state).toBe("fulfilled");
    const path = linkIn(await f.notice(c.email, /is complete/), "/v1/requests/download/");
    const zip = await f.t.app.inject({ method: "GET", url: path });
    expect(zip.statusCode).toBe(200);
    expect(zip.headers["content-type"]).toBe("application/zip");
    const files = unzipSync(new Uint8Array(zip.rawPayload));
    expect(Object.keys(files).sort()).toEqual(["README.txt", "data.csv", "data.json"]);
    const data = JSON.parse(strFromU8(files["data.json"]!)) as { id: string };
    expect(data.id).toBe(c.subjectId);
    expect(strFromU8(files["data.json"]!)).toContain(c.email);
    expect(strFromU8(files["data.csv"]!)).toContain(c.email);
    // Forged and expired links open nothing.
    const forged = await f.t.app.inject({ method: "GET", url: `${path.slice(0, -2)}AA` });
    expect(forged.statusCode).toBe(410);
    f.now = new Date(f.now.getTime() + 8 * DAY);
    try {
      const late = await f.t.app.inject({ method: "GET", url: path });
      expect(late.statusCode).toBe(410);
      expect(late.json().code).toBe("PLEDGE_REQUEST_LINK_INVALID");
    } finally {
      f.now = new Date(f.now.getTime() - 8 * DAY);
    }
  });

  it("an opt-out of sharing from the account is done at once; a second is answered as done", async () => {
    const c = await signedUp(f.t.app);
    const ask = () =>
      f.t.app.inject({
        method: "POST",
        url: "/v1/account/requests",
        headers: as(c),
        payload: { kind: "opt_out_sharing" },
      });
    const first = await ask();
    expect(first.json().request.state).toBe("fulfilled");
    const second = await ask();
    expect(second.statusCode).toBe(201);
    expect(second.json().request.state).toBe("fulfilled");
  });

  it("needs a session and the CSRF token", async () => {
    const c = await signedUp(f.t.app);
    const none = await f.t.app.inject({
      method: "POST",
      url: "/v1/account/requests",
      payload: { kind: "access" },
    });
    expect(none.statusCode).toBe(401);
    const noCsrf = await f.t.app.inject({
      method: "POST",
      url: "/v1/account/requests",
      headers: as(c, {}, false),
      payload: { kind: "access" },
    });
    expect(noCsrf.statusCode).toBe(403);
  });
});

describe("anyone, without an account", () => {
  it("deletion: nothing happens before the emailed link is used; the page's button verifies; the link works once", async () => {
    const p = await f.person();
    const res = await f.t.app.inject({
      method: "POST",
      url: "/v1/public/requests",
      payload: { kind: "deletion", email: p.email },
    });
    expect(res.statusCode).toBe(202);
    expect(res.body).not.toContain(p.email);
    const verify = await f.notice(p.email, /confirm your privacy request/);
    const path = linkIn(verify, "/requests/verify/");
    const row = () =>
      f.t.store.db
        .selectFrom("rights_requests")
        .selectAll()
        .where("email_index", "is not", null)
        .orderBy("received_at", "desc")
        .execute();
    // A mail scanner fetching the link changes nothing.
    const page = await f.t.app.inject({ method: "GET", url: path });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post">');
    const pending = (await row()).find(
      (r) => r.kind === "deletion" && r.intake === "public" && r.state === "identity_unverified",
    );
    expect(pending?.subject_id).toBeNull();
    const confirmed = await f.t.app.inject({ method: "POST", url: path });
    expect(confirmed.statusCode).toBe(200);
    const verified = (await f.req("GET", `/v1/requests/${pending!.request_id}`)).json();
    expect(verified).toMatchObject({ state: "verified", subjectId: p.id, law: "ccpa" });
    const twice = await f.t.app.inject({ method: "POST", url: path });
    expect(twice.statusCode).toBe(410);
    const done = await f.move(pending!.request_id, { to: "fulfilled" });
    expect(done.json().state).toBe("fulfilled");
    expect((await f.req("GET", `/v1/subjects/${p.id}?purpose=essential.service.account`)).statusCode).toBe(
      404,
    );
    await f.notice(p.email, /received your privacy request/);
    const completion = await f.notice(p.email, /is complete/);
    expect(textOf(completion)).toMatch(/Kept because the law requires it|is complete/);
    // Only the verification link went out before the address was verified.
    const order = f.sink.messages.filter((m) => m.envelope.to.includes(p.email)).map(subjectLine);
    expect(order[0]).toMatch(/confirm your privacy request/);
  });

  it("an address on record as nobody gets the same 202, and after verifying, a denial: no_match", async () => {
    const email = `stranger-${letters()}@example.com`;
    const res = await f.t.app.inject({
      method: "POST",
      url: "/v1/public/requests",
      payload: { kind: "access", email },
    });
    expect(res.statusCode, res.body).toBe(202);
    const verify = await f.notice(email, /confirm your privacy request/);
    const confirmed = await f.t.app.inject({ method: "POST", url: linkIn(verify, "/requests/verify/") });
    expect(confirmed.statusCode).toBe(200);
    expect(textOf(await f.notice(email, /cannot complete/))).toMatch(/hold no personal information/);
  });

  it("a request whose verification link expired unused is closed as expired by the sweep", async () => {
    const email = `late-${letters()}@example.com`;
    await f.t.app.inject({
      method: "POST",
      url: "/v1/public/requests",
      payload: { kind: "deletion", email },
    });
    await f.notice(email, /confirm your privacy request/);
    const policies = new PolicyBook(await loadPolicyHistory(path.join(POLICIES_DIR, "zones")));
    const sweep = (at: Date) => expireUnverified({ db: f.t.store.db, policies, clock: () => at });
    const waiting = async () =>
      (await f.req("GET", "/v1/requests?state=identity_unverified&kind=deletion&limit=200")).json().items
        .length as number;
    const before = await waiting();
    expect(before).toBeGreaterThan(0);
    await sweep(f.now);
    expect(await waiting()).toBe(before);
    await sweep(new Date(f.now.getTime() + DAY + 1000));
    expect(await waiting()).toBe(0);
    const expired = (await f.req("GET", "/v1/requests?state=expired&limit=200")).json().items;
    expect(expired.length).toBeGreaterThanOrEqual(before);
  });

  it("asking again before verifying sends a fresh link; the newest works", async () => {
    const p = await f.person();
    const ask = () =>
      f.t.app.inject({
        method: "POST",
        url: "/v1/public/requests",
        payload: { kind: "portable_export", email: p.email },
      });
    expect((await ask()).statusCode).toBe(202);
    expect((await ask()).statusCode).toBe(202);
    const links = await until("two verification links", () => {
      const got = f.sink.messages.filter(
        (m) => m.envelope.to.includes(p.email) && /confirm your privacy request/.test(subjectLine(m)),
      );
      return got.length >= 2 ? got.map((m) => linkIn(m, "/requests/verify/")) : null;
    });
    // Each message carries the newest link when it is sent.
    expect((await f.t.app.inject({ method: "POST", url: links.at(-1)! })).statusCode).toBe(200);
  });

  it("an expired verification link verifies nothing", async () => {
    const p = await f.person();
    await f.t.app.inject({
      method: "POST",
      url: "/v1/public/requests",
      payload: { kind: "access", email: p.email },
    });
    const verify = await f.notice(p.email, /confirm your privacy request/);
    f.now = new Date(f.now.getTime() + 2 * DAY);
    try {
      const late = await f.t.app.inject({
        method: "POST",
        url: "/v1/public/requests/verify",
        payload: { token: linkIn(verify, "/requests/verify/").split("/").pop() },
      });
      expect(late.statusCode).toBe(410);
    } finally {
      f.now = new Date(f.now.getTime() - 2 * DAY);
    }
  });
});

describe("the queue", () => {
  it("sorts open requests by due date, filters, and shows the overdue", async () => {
    const p = await f.person();
    const q = await f.person({ jurisdiction: "DE" });
    const a = (
      await f.req("POST", "/v1/requests", { body: { kind: "deletion", claimant: { email: p.email } } })
    ).json().request;
    const b = (
      await f.req("POST", "/v1/requests", { body: { kind: "deletion", claimant: { email: q.email } } })
    ).json().request;
    expect(b).toMatchObject({ law: "gdpr", queue: "infosec", dueDate: "2026-04-02" });
    const list = (await f.req("GET", "/v1/requests?state=open&kind=deletion&limit=200")).json().items as {
      id: string;
      due: string;
    }[];
    const ids = list.map((i) => i.id);
    expect(ids.indexOf(b.id)).toBeLessThan(ids.indexOf(a.id));
    const dues = list.map((i) => i.due);
    expect([...dues].sort()).toEqual(dues);
    const infosec = (await f.req("GET", "/v1/requests?queue=infosec&limit=200"))
      .json()
      .items.map((i: { id: string }) => i.id);
    expect(infosec).toContain(b.id);
    expect(infosec).not.toContain(a.id);
    f.now = new Date(f.now.getTime() + 40 * DAY);
    try {
      const overdue = (await f.req("GET", "/v1/requests?state=overdue&limit=200")).json().items as {
        id: string;
        overdue: boolean;
        daysLeft: number;
      }[];
      const late = overdue.find((i) => i.id === b.id);
      expect(late).toMatchObject({ overdue: true });
      expect(late!.daysLeft).toBeLessThan(0);
      expect(overdue.some((i) => i.id === a.id)).toBe(false);
      // The overdue are counted in the metrics too.
      const metrics = await f.t.app.inject({
        method: "GET",
        url: "/metrics",
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      const line = /^pledge_requests_open\{kind="deletion",overdue="true"\} (\d+)$/m.exec(metrics.body);
      expect(
        Number(line?.[1]),
        metrics.body
          .split("\n")
          .filter((l) => l.includes("requests_open"))
          .join("\n"),
      ).toBeGreaterThanOrEqual(1);
    } finally {
      f.now = new Date(f.now.getTime() - 40 * DAY);
    }
  });

  it("pages with a cursor, and refuses a cursor it never gave", async () => {
    const first = await f.req("GET", "/v1/requests?limit=2");
    expect(first.json().items).toHaveLength(2);
    const next = await f.req("GET", `/v1/requests?limit=2&cursor=${first.json().nextCursor}`);
    expect(next.statusCode).toBe(200);
    const seen = new Set(first.json().items.map((i: { id: string }) => i.id));
    for (const i of next.json().items as { id: string }[]) expect(seen.has(i.id)).toBe(false);
    const bad = await f.req(
      "GET",
      `/v1/requests?cursor=${Buffer.from('{"due":"x","id":"y"}').toString("base64url")}`,
    );
    expect(bad.json().code).toBe("PLEDGE_INVALID_CURSOR");
  });
});

describe("GDPR: the clock stops while the identity check waits on the person", () => {
  it("a request from the EU verified 20 hours late is due a day later; a CCPA one is not moved", async () => {
    const eu = await f.person({ jurisdiction: "FR" });
    const ca = await f.person();
    const ask = (email: string) =>
      f.t.app.inject({ method: "POST", url: "/v1/public/requests", payload: { kind: "access", email } });
    expect((await ask(eu.email)).statusCode).toBe(202);
    expect((await ask(ca.email)).statusCode).toBe(202);
    const euLink = linkIn(await f.notice(eu.email, /confirm your privacy request/), "/requests/verify/");
    const caLink = linkIn(await f.notice(ca.email, /confirm your privacy request/), "/requests/verify/");
    const start = f.now;
    f.now = new Date(start.getTime() + 20 * 3_600_000);
    try {
      expect((await f.t.app.inject({ method: "POST", url: euLink })).statusCode).toBe(200);
      expect((await f.t.app.inject({ method: "POST", url: caLink })).statusCode).toBe(200);
      const mine = async (id: string) =>
        (await f.req("GET", `/v1/requests?state=open&limit=200`))
          .json()
          .items.find((i: { subjectId: string }) => i.subjectId === id);
      // Received Monday 2 March 2026 (09:00 in Los Angeles), paused 20 hours: the month runs from 3 March.
      expect(await mine(eu.id)).toMatchObject({
        law: "gdpr",
        state: "verified",
        paused: false,
        dueDate: "2026-04-03",
      });
      expect(await mine(ca.id)).toMatchObject({ law: "ccpa", dueDate: "2026-04-16" });
    } finally {
      f.now = start;
    }
  });
});

describe("corrections", () => {
  it("staff review the values asked for; fulfilling writes them to the record, audited with the staff actor", async () => {
    const p = await f.person();
    const made = await f.req("POST", "/v1/requests", {
      body: {
        kind: "correction",
        claimant: { email: p.email },
        details: { corrections: { first_name: "Amazing" } },
      },
    });
    expect(made.statusCode).toBe(201);
    const id = made.json().request.id;
    const done = await f.move(id, { to: "fulfilled" });
    expect(done.json().state).toBe("fulfilled");
    const read = await f.req("GET", `/v1/subjects/${p.id}?purpose=essential.service.account`);
    expect(read.json().fields.first_name.value).toBe("Amazing");
    expect(read.json().fields.first_name.collectionPoint).toBe(`request.${id}`);
    expect((await f.req("GET", `/v1/requests/${id}`)).json().result).toMatchObject({
      corrected: ["first_name"],
    });
  });

  it("a correction to an invalid value refuses the move and changes nothing", async () => {
    const p = await f.person();
    const made = await f.req("POST", "/v1/requests", {
      body: {
        kind: "correction",
        claimant: { email: p.email },
        details: { corrections: { email: "not an address" } },
      },
    });
    const id = made.json().request.id;
    const refused = await f.move(id, { to: "fulfilled" });
    expect(refused.statusCode).toBe(400);
    expect((await f.req("GET", `/v1/requests/${id}`)).json().state).toBe("verified");
  });
});

describe("bad input", () => {
  it("a channel opt-out names a channel the policy uses; a complaint is opened with its message elsewhere", async () => {
    const p = await f.person();
    const bad = await f.req("POST", "/v1/requests", {
      body: { kind: "opt_out_channel", claimant: { email: p.email }, details: { channel: "sms" } },
    });
    expect(bad.statusCode).toBe(400);
    const ok = await f.req("POST", "/v1/requests", {
      body: { kind: "opt_out_channel", claimant: { email: p.email }, details: { channel: "postal" } },
    });
    expect(ok.json().request.state).toBe("fulfilled");
    const complaint = await f.req("POST", "/v1/requests", {
      body: { kind: "complaint", claimant: { email: p.email } },
    });
    expect(complaint.statusCode).toBe(400);
    expect(complaint.json().detail).toContain("/v1/privacy-complaints");
  });

  it("a jurisdiction that is none: 400, nothing written", async () => {
    const p = await f.person();
    const res = await f.req("POST", "/v1/requests", {
      body: { kind: "access", claimant: { email: p.email }, jurisdiction: "Mars" },
    });
    expect(res.statusCode).toBe(400);
  });
});

describe("removal from lists is a request like any other (Z16-14, Z19-06)", () => {
  const removals = () =>
    f.t.store.db
      .selectFrom("rights_requests")
      .select("request_id")
      .where("kind", "=", "list_removal")
      .execute();

  it("asked at /v1/requests or /v1/removal-requests: one request, fulfilled at once for customer service, in the queue's history", async () => {
    const p = await f.person();
    const viaRequests = await f.req("POST", "/v1/requests", {
      body: { kind: "list_removal", claimant: { email: p.email } },
    });
    expect(viaRequests.statusCode, viaRequests.body).toBe(201);
    const { request } = viaRequests.json();
    expect(request).toMatchObject({ kind: "list_removal", state: "fulfilled", queue: "customer-service" });
    const detail = (await f.req("GET", `/v1/requests/${request.id}`)).json();
    expect(detail.history.map((m: { to: string }) => m.to)).toEqual(["received", "verified", "fulfilled"]);
    expect(detail.result).toMatchObject({ matched: 1, channels: ["email", "postal", "catalogue"] });
    const q = await f.person();
    const viaRemoval = await f.req("POST", "/v1/removal-requests", {
      body: {
        firstName: q.firstName,
        lastName: q.lastName,
        postalAddress: q.address,
        zip: q.address.postalCode,
      },
    });
    expect(viaRemoval.json()).toMatchObject({ status: "applied", state: "fulfilled", matched: 1 });
    const same = (await f.req("GET", `/v1/requests/${viaRemoval.json().id}`)).json();
    expect(same).toMatchObject({ kind: "list_removal", intake: "staff", subjectId: q.id });
  });

  it("an EU removal waits in the infosec queue on the opt-out clock; a repeat is the same request; only infosec or admin applies it", async () => {
    const p = await f.person({ jurisdiction: "DE" });
    const first = await f.req("POST", "/v1/removal-requests", { body: { email: p.email } });
    expect(first.statusCode).toBe(202);
    const id = first.json().id;
    const view = (await f.req("GET", `/v1/requests/${id}`)).json();
    expect(view).toMatchObject({ state: "verified", queue: "infosec", law: "gdpr", overdue: false });
    expect(view.due).not.toBeNull();
    const again = await f.req("POST", "/v1/requests", {
      body: { kind: "list_removal", claimant: { email: p.email.toUpperCase() } },
    });
    expect(again.json()).toMatchObject({ repeated: true, request: { id } });
    const cs = await f.t.apiKey("customer_service");
    const refused = await f.req("POST", `/v1/requests/${id}/moves`, {
      key: cs,
      body: { to: "fulfilled" },
      headers: { "if-match": `"${view.version}"` },
    });
    expect(refused.statusCode).toBe(403);
    const infosec = await f.t.apiKey("infosec");
    const applied = await f.req("POST", `/v1/requests/${id}/moves`, {
      key: infosec,
      body: { to: "fulfilled" },
      headers: { "if-match": `"${view.version}"` },
    });
    expect(applied.statusCode, applied.body).toBe(200);
    const listed = (await f.req("GET", "/v1/removal-requests?queue=infosec", { key: infosec })).json();
    expect(listed.items.find((i: { id: string }) => i.id === id)).toMatchObject({
      status: "applied",
      matched: 1,
    });
  });

  it("two people fit the name, address and ZIP: nobody is removed, nothing is written, more is asked", async () => {
    const lastName = `Twin${Math.random()
      .toString(36)
      .replace(/[^a-z]/g, "")
      .slice(0, 6)}`;
    const line1 = "7 Shared Lane";
    const a = await f.person({ lastName, line1 });
    await f.person({ lastName, line1 });
    const before = (await removals()).length;
    const res = await f.req("POST", "/v1/removal-requests", {
      body: { firstName: a.firstName, lastName, postalAddress: a.address, zip: a.address.postalCode },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe("PLEDGE_REQUEST_AMBIGUOUS_MATCH");
    expect(res.body).not.toContain(lastName);
    expect((await removals()).length).toBe(before);
  });

  it("a list removal gives one of the identifying sets: 400 naming them, nothing written", async () => {
    const before = (await removals()).length;
    const res = await f.req("POST", "/v1/requests", {
      body: { kind: "list_removal", claimant: { firstName: "Grace", zip: "22201" } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toContain("[email]");
    expect((await removals()).length).toBe(before);
  });
});

describe("the remaining opt-outs, end to end to the person's mailbox", () => {
  it("limit the use of sensitive data: done at once, the purposes it limits listed, the completion sent", async () => {
    const p = await f.person();
    const res = await f.req("POST", "/v1/requests", {
      body: { kind: "limit_sensitive", claimant: { email: p.email } },
    });
    expect(res.statusCode, res.body).toBe(201);
    const { request } = res.json();
    expect(request).toMatchObject({ kind: "limit_sensitive", state: "fulfilled" });
    const detail = (await f.req("GET", `/v1/requests/${request.id}`)).json();
    expect(detail.result).toEqual({ limited: expect.any(Array), withdrawn: expect.any(Number) });
    await f.notice(p.email, /is complete/);
  });

  it("no more catalogues, from a company that sends none: denied claim_not_covered, and the person is told why", async () => {
    expect(f.t.pack().messages.channel_opt_outs?.some((o) => o.channel === "catalogue") ?? false).toBe(false);
    const p = await f.person();
    const res = await f.req("POST", "/v1/requests", {
      body: { kind: "opt_out_catalogues", claimant: { email: p.email } },
    });
    expect(res.json().request).toMatchObject({ state: "denied", denialReason: "claim_not_covered" });
    const notice = await f.notice(p.email, /cannot complete/);
    expect(textOf(notice)).toContain("no more catalogues");
  });
});
