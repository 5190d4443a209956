import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import type { MailTransport } from "../../src/modules/messages/transport.ts";
import { createSmtpTransport } from "../../src/modules/messages/transport.ts";
import { sendNotices, type NoticeDeps } from "../../src/modules/requests/requests.notices.ts";
import { ephemeralVault } from "../../src/modules/subjects/ephemeral-vault.ts";
import { PolicyBook } from "../../src/policy/book.ts";
import { loadPolicyHistory } from "../../src/policy/history.ts";
import { requestsFixture, type RequestsFixture } from "./helpers.ts";

/**
 * Two nodes' notice senders over one store: the first claims a notice and is still talking to the
 * relay when the second runs; the second leaves it alone, so the person receives it once. A notice
 * whose send failed is free again once its claim lapses, and is then sent (once).
 */
const vault = ephemeralVault();
let f: RequestsFixture;
let book: PolicyBook;
beforeAll(async () => {
  f = await requestsFixture("2026-03-02T17:00:00.000Z", "zones", vault);
  book = new PolicyBook(
    await loadPolicyHistory(fileURLToPath(new URL("../../policies/zones", import.meta.url))),
  );
});
afterAll(() => f.close());

/** A node's sender deps over the fixture's store and the real SMTP relay, `hold` in front of it. */
function node(hold: (send: () => Promise<void>) => Promise<void>): NoticeDeps & { sent: number } {
  const config = loadConfig({
    PLEDGE_SMTP_URL: f.sink.url,
    PLEDGE_MAIL_FROM: "privacy@pledge.test",
    PLEDGE_PUBLIC_URL: "https://privacy.pledge.test",
  });
  const relay = createSmtpTransport(config.mail);
  const deps = {
    db: f.t.store.db,
    vault,
    policies: book,
    clock: () => f.now,
    publicUrl: "https://privacy.pledge.test",
    sent: 0,
    transport: {
      send: (m) =>
        hold(async () => {
          await relay.send(m);
          deps.sent += 1;
        }),
      close: () => relay.close(),
    } satisfies MailTransport,
  };
  return deps;
}
describe("request notices across nodes", () => {
  it("a notice claimed by one node's sender is not sent by another's while the first is at the relay", async () => {
    const p = await f.person();
    const res = await f.req("POST", "/v1/requests", {
      body: { kind: "access", claimant: { email: p.email } },
    });
    expect(res.statusCode).toBe(201);
    const requestId = res.json().request.id as string;
    await f.notice(p.email, /received your privacy request/); // the app's own sender is done with it
    await f.t.store.db
      .insertInto("request_notices")
      .values({ request_id: requestId, kind: "extended", created_at: f.now, attempts: 0 })
      .execute();

    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let atRelay!: () => void;
    const reached = new Promise<void>((resolve) => (atRelay = resolve));
    const a = node(async (send) => {
      atRelay();
      await released;
      await send();
    });
    const b = node((send) => send());
    const first = sendNotices(a);
    await reached;
    expect(await sendNotices(b)).toBe(0);
    release();
    expect(await first).toBe(1);
    expect(a.sent + b.sent).toBe(1);
    expect(await sendNotices(b)).toBe(0);
    await a.transport.close();
    await b.transport.close();
  });

  it("a notice whose send failed is tried again once its claim lapses, and sent once", async () => {
    const p = await f.person();
    const res = await f.req("POST", "/v1/requests", {
      body: { kind: "access", claimant: { email: p.email } },
    });
    const requestId = res.json().request.id as string;
    await f.notice(p.email, /received your privacy request/);
    await f.t.store.db
      .insertInto("request_notices")
      .values({ request_id: requestId, kind: "extended", created_at: f.now, attempts: 0 })
      .execute();
    const down = node(async () => {
      throw new Error("relay down");
    });
    expect(await sendNotices(down)).toBe(0);
    const up = node((send) => send());
    expect(await sendNotices(up)).toBe(0); // still claimed by the failed attempt
    f.now = new Date(f.now.getTime() + 11 * 60_000);
    expect(await sendNotices(up)).toBe(1);
    expect(await sendNotices(up)).toBe(0);
    const row = await f.t.store.db
      .selectFrom("request_notices")
      .select(["attempts", "sent_at"])
      .where("request_id", "=", requestId)
      .where("kind", "=", "extended")
      .executeTakeFirstOrThrow();
    expect(row.attempts).toBe(2);
    expect(row.sent_at).not.toBeNull();
    await down.transport.close();
    await up.transport.close();
  });
});
