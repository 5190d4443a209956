import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emailFlow, oneClickUrl, type EmailFlow } from "./flow.ts";
import { signedHeaders, verifyDkim } from "../messages/mail.ts";

const PURPOSE = "marketing.communications";
let f: EmailFlow;
beforeAll(async () => {
  f = await emailFlow("partstore");
});
afterAll(async () => {
  await f?.close();
});

async function rows() {
  return {
    suppression: await f.count("suppression_list"),
    consent: await f.count("consent_events"),
  };
}

function pathOf(url: string): string {
  return new URL(url).pathname;
}

describe("one-click unsubscribe (RFC 8058)", () => {
  it("a received message's link: GET shows a page and changes nothing; POST opts out before answering; a second POST writes nothing", async () => {
    const email = "click@example.com";
    const id = await f.subject({ email });
    expect(await f.audience(PURPOSE)).toContain(id);
    const message = await f.send(id, email, { purpose: PURPOSE });
    const results = await verifyDkim(message.raw, f.key);
    expect(results.map((r) => r.status.result)).toEqual(["pass"]);
    expect(signedHeaders(message.raw)).toEqual(
      expect.arrayContaining(["list-unsubscribe", "list-unsubscribe-post"]),
    );
    const url = oneClickUrl(message.raw);
    expect(url.startsWith(`${f.mail.publicUrl}/u/`)).toBe(true);
    expect(url).not.toContain("click");
    expect(url).not.toContain(id);

    const before = await rows();
    const page = await f.t.app.inject({ method: "GET", url: pathOf(url) });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toContain("text/html");
    expect(page.body).toContain('method="post"');
    expect(page.body).not.toContain(email);
    expect(await rows()).toEqual(before);
    expect(await f.audience(PURPOSE)).toContain(id);

    const done = await f.oneClick(url);
    expect(done.statusCode).toBe(200);
    expect(done.headers.location).toBeUndefined();
    expect(await f.audience(PURPOSE)).not.toContain(id);
    const after = await rows();
    expect(after.suppression).toBe(before.suppression + 1);
    expect(after.consent).toBe(before.consent + 1);
    const event = await f.t.store.db
      .selectFrom("consent_events")
      .selectAll()
      .where("subject_id", "=", id)
      .orderBy("at", "desc")
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({
      target: PURPOSE,
      channel: "email",
      action: "withdrawn",
      source: "email-link",
    });

    const again = await f.oneClick(url);
    expect(again.statusCode).toBe(200);
    expect(await rows()).toEqual(after);
    const check = await f.req("POST", "/v1/suppression/check", { channel: "email", address: email });
    expect(check.json()).toMatchObject({
      suppressed: true,
      entry: { reason: "unsubscribe", source: "email-link" },
    });
  });

  it("accepts the multipart/form-data body too", async () => {
    const email = "multi@example.com";
    const id = await f.subject({ email });
    const url = oneClickUrl((await f.send(id, email, { purpose: PURPOSE })).raw);
    const res = await f.oneClick(url, "multipart");
    expect(res.statusCode).toBe(200);
    expect(await f.audience(PURPOSE)).not.toContain(id);
  });

  it("a forged token answers a 400 page and opts out nobody", async () => {
    const email = "forged@example.com";
    const id = await f.subject({ email });
    const url = oneClickUrl((await f.send(id, email, { purpose: PURPOSE })).raw);
    const token = pathOf(url).slice("/u/".length);
    const flipped = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    const before = await rows();
    for (const bad of [flipped, "not-a-token", `${token}x`]) {
      const res = await f.t.app.inject({
        method: "POST",
        url: `/u/${bad}`,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: "List-Unsubscribe=One-Click",
      });
      expect(res.statusCode).toBe(400);
      expect(res.headers["content-type"]).toContain("text/html");
      expect(res.body).toContain("not valid");
    }
    expect(await rows()).toEqual(before);
    expect(await f.audience(PURPOSE)).toContain(id);
  });

  it("another person's signature on this token id is refused (no opt-out of either)", async () => {
    const a = await f.subject({ email: "swap-a@example.com" });
    const b = await f.subject({ email: "swap-b@example.com" });
    const ta = pathOf(oneClickUrl((await f.send(a, "swap-a@example.com", { purpose: PURPOSE })).raw)).slice(
      3,
    );
    const tb = pathOf(oneClickUrl((await f.send(b, "swap-b@example.com", { purpose: PURPOSE })).raw)).slice(
      3,
    );
    const mixed = `${ta.split(".")[0]}.${tb.split(".")[1]}`;
    const before = await rows();
    const res = await f.oneClick(`https://x.test/u/${mixed}`);
    expect(res.statusCode).toBe(400);
    expect(await rows()).toEqual(before);
    const audience = await f.audience(PURPOSE);
    expect(audience).toContain(a);
    expect(audience).toContain(b);
  });

  it("an expired token answers a 410 page and writes nothing", async () => {
    const email = "expired@example.com";
    const id = await f.subject({ email });
    const url = oneClickUrl((await f.send(id, email, { purpose: PURPOSE })).raw);
    await f.t.store.db
      .updateTable("unsubscribe_tokens")
      .set({ expires_at: new Date(Date.now() - 1000) } as never)
      .where("subject_id", "=", id)
      .execute();
    const before = await rows();
    expect((await f.t.app.inject({ method: "GET", url: pathOf(url) })).statusCode).toBe(410);
    const res = await f.oneClick(url);
    expect(res.statusCode).toBe(410);
    expect(res.body).toContain("expired");
    expect(await rows()).toEqual(before);
    expect(await f.audience(PURPOSE)).toContain(id);
  });
});

describe("mailto unsubscribe", () => {
  it("a request carrying the token in its subject line does what the link does; from another address it is refused", async () => {
    const email = "mailto@example.com";
    const id = await f.subject({ email });
    const message = await f.send(id, email, { purpose: PURPOSE });
    const mailto = /<(mailto:[^>]+)>/.exec(message.raw.replace(/\r\n[ \t]+/g, " "))?.[1] ?? "";
    const subjectLine = decodeURIComponent(new URL(mailto).searchParams.get("subject") ?? "");
    expect(subjectLine).toMatch(/^unsubscribe-/);

    const before = await rows();
    const wrong = await f.req("POST", "/v1/unsubscribe/mailto", {
      subject: `Re: ${subjectLine}`,
      from: "someone-else@example.com",
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ code: "PLEDGE_UNSUBSCRIBE_TOKEN_INVALID" });
    expect(wrong.body).not.toContain("someone-else");
    expect(await rows()).toEqual(before);

    const ok = await f.req("POST", "/v1/unsubscribe/mailto", { subject: `Re: ${subjectLine}`, from: email });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ outcome: "unsubscribed", via: "token" });
    expect(await f.audience(PURPOSE)).not.toContain(id);
    const again = await f.req("POST", "/v1/unsubscribe/mailto", { subject: subjectLine });
    expect(again.json()).toMatchObject({ outcome: "already_unsubscribed" });
  });

  it("without a key or the hook secret it is refused", async () => {
    const res = await f.t.app.inject({
      method: "POST",
      url: "/v1/unsubscribe/mailto",
      headers: { "x-pledge-hook-secret": "wrong" },
      payload: { from: "x@example.com" },
    });
    expect(res.statusCode).toBe(401);
    const none = await f.t.app.inject({
      method: "POST",
      url: "/v1/unsubscribe/mailto",
      payload: { from: "x@example.com" },
    });
    expect(none.statusCode).toBe(401);
  });

  it("a staff-handled request naming only the address stops that person's email marketing", async () => {
    const email = "staff-handled@example.com";
    const id = await f.subject({ email });
    expect(await f.audience(PURPOSE)).toContain(id);
    const res = await f.req("POST", "/v1/unsubscribe/mailto", { from: "Staff-Handled@Example.com" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      outcome: "unsubscribed",
      via: "address",
      subjects: 1,
      suppressed: true,
    });
    expect(await f.audience(PURPOSE)).not.toContain(id);
  });
});
