import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture, marketing, type Fixture } from "../consent/fixture.ts";

/** The Do Not Send list through the HTTP API (partstore: suppression on email, PS-05). */
describe("Do Not Send list", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture("partstore");
  });
  afterAll(async () => {
    await f?.t.close();
  });

  const check = async (channel: string, address: unknown) => {
    const res = await f.req("POST", "/v1/suppression/check", { channel, address });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { suppressed: boolean; entry: { addressIndex: string; reason: string } | null };
  };

  it("adds, checks (normalised), keeps the first entry, removes with a reason; the audit holds no address", async () => {
    const added = await f.req("POST", "/v1/suppression", {
      channel: "email",
      address: "  Grace.Hopper@Example.COM ",
      reason: "unsubscribe",
      source: "email-link",
    });
    expect(added.statusCode).toBe(201);
    const entry = added.json().entry;
    expect(entry).toMatchObject({ channel: "email", reason: "unsubscribe", source: "email-link" });
    expect(entry.addressIndex).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await check("email", "grace.hopper@example.com")).toMatchObject({
      suppressed: true,
      entry: { addressIndex: entry.addressIndex },
    });
    expect((await check("sms", "+1 415 555 0199")).suppressed).toBe(false);

    const again = await f.req("POST", "/v1/suppression", {
      channel: "email",
      address: "grace.hopper@example.com",
      reason: "complaint",
      source: "staff",
    });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ added: false, entry: { reason: "unsubscribe" } });

    const removed = await f.req("POST", "/v1/suppression/remove", {
      channel: "email",
      address: "GRACE.HOPPER@example.com",
      reason: "added_in_error",
    });
    expect(removed.statusCode).toBe(200);
    expect((await check("email", "grace.hopper@example.com")).suppressed).toBe(false);
    const twice = await f.req("POST", "/v1/suppression/remove", {
      channel: "email",
      address: "grace.hopper@example.com",
      reason: "added_in_error",
    });
    expect(twice.statusCode).toBe(404);

    const audit = await f.t.store.db
      .selectFrom("audit_log")
      .select(["type", "payload"])
      .where("type", "like", "suppression.%")
      .execute();
    expect(audit.map((a) => a.type)).toEqual(["suppression.added", "suppression.removed"]);
    expect(JSON.stringify(audit).toLowerCase()).not.toContain("hopper");
  });

  it("refuses a malformed address without repeating it, and remove, import and export need admin", async () => {
    const bad = await f.req("POST", "/v1/suppression/check", { channel: "email", address: "not-an-address" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe("PLEDGE_INVALID_EMAIL");
    expect(bad.body).not.toContain("not-an-address");
    const postalAsText = await f.req("POST", "/v1/suppression/check", {
      channel: "postal",
      address: "1 Main St",
    });
    expect(postalAsText.statusCode).toBe(400);
    const marketer = await f.t.apiKey("marketing", { attested: true });
    const body = { channel: "email", address: "x@example.com", reason: "added_in_error" };
    expect((await f.req("POST", "/v1/suppression/remove", body, marketer)).statusCode).toBe(403);
    expect((await f.req("GET", "/v1/suppression/export", undefined, marketer)).statusCode).toBe(403);
  });

  it("imports CSV all or nothing: a bad row rejects the file with line numbers and adds nothing", async () => {
    const before = await f.count("suppression_list");
    const csv = "address,reason\nlin@example.com,bounce\nnot-an-address,bounce\nkay@example.com,teleport\n";
    const res = await f.t.app.inject({
      method: "POST",
      url: "/v1/suppression/import?channel=email",
      headers: { authorization: `Bearer ${f.admin}`, "content-type": "text/csv" },
      payload: csv,
    });
    expect(res.statusCode).toBe(422);
    const problem = res.json();
    expect(problem.code).toBe("PLEDGE_SUPPRESSION_IMPORT_REJECTED");
    expect(problem.errors.map((e: { path: string }) => e.path)).toEqual(["line 3", "line 4"]);
    expect(res.body).not.toContain("not-an-address");
    expect(await f.count("suppression_list")).toBe(before);
  });

  it("imports CSV and NDJSON (postal parts too), reports what was new, and exports indexes only", async () => {
    const post = (type: string, payload: string, query = "") =>
      f.t.app.inject({
        method: "POST",
        url: `/v1/suppression/import${query}`,
        headers: { authorization: `Bearer ${f.admin}`, "content-type": type },
        payload,
      });
    const csv = 'channel,address\nemail,"lin@example.com"\nemail,LIN@example.com\nsms,+1 (415) 555-0142\n';
    const first = await post("text/csv", csv);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ rows: 3, added: 2, alreadyListed: 1 });
    const ndjson = [
      JSON.stringify({
        channel: "catalogue",
        address: { line1: "12 Elm St.", city: "Springfield", postalCode: "62704", country: "us" },
      }),
      "",
      JSON.stringify({ address: "kay@example.com", reason: "request" }),
    ].join("\n");
    const second = await post("application/x-ndjson", ndjson, "?channel=email");
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json()).toEqual({ rows: 2, added: 2, alreadyListed: 0 });
    expect(
      (
        await check("catalogue", {
          line1: "12 ELM ST",
          city: "springfield",
          postalCode: "62704",
          country: "US",
        })
      ).suppressed,
    ).toBe(true);
    expect((await check("sms", "+14155550142")).suppressed).toBe(true);
    expect((await check("phone", "+14155550142")).suppressed).toBe(false);

    const page1 = await f.req("GET", "/v1/suppression/export?limit=2");
    expect(page1.statusCode).toBe(200);
    const body = page1.json();
    expect(body.addressesKept).toBe(false);
    expect(body.note).toMatch(/does not keep the addresses/);
    expect(body.items).toHaveLength(2);
    const page2 = (await f.req("GET", `/v1/suppression/export?limit=10&cursor=${body.nextCursor}`)).json();
    expect(body.items.length + page2.items.length).toBe(await f.count("suppression_list"));
    expect(page2.nextCursor).toBeNull();
    // None of the addresses imported, in any form (the indexes are random-looking base64, so the
    // check is for whole values, not short runs a digest may hold by chance).
    const exported = JSON.stringify([body, page2]).toLowerCase();
    for (const value of ["example.com", "elm st", "springfield", "62704", "4155550142", "555-0142"])
      expect(exported).not.toContain(value);
    const emailOnly = (await f.req("GET", "/v1/suppression/export?channel=email&limit=50")).json();
    expect(emailOnly.items.every((e: { channel: string }) => e.channel === "email")).toBe(true);
  });

  it("a suppressed address gets no marketing but still gets essential mail", async () => {
    const id = await f.subject({ email: "ida@example.com" });
    expect((await f.decide(id, marketing("marketing.communications", "email"))).outcome).toBe("allow");
    await f.req("POST", "/v1/suppression", {
      channel: "email",
      address: "IDA@example.com",
      reason: "unsubscribe",
      source: "email-link",
    });
    const refused = await f.decide(id, marketing("marketing.communications", "email"));
    expect(refused.outcome).toBe("deny");
    expect(refused.reasons.map((r) => [r.code, r.clause])).toEqual([["suppressed", "PS-05"]]);
    const delivery = {
      action: "send",
      purpose: "essential.service.delivery",
      channel: "email",
      messageClass: "delivery",
      fields: ["email"],
    };
    expect((await f.decide(id, delivery)).outcome).toBe("allow");
    // Postal marketing is another channel: the email entry does not stop it.
    expect((await f.decide(id, marketing("marketing.communications", "postal"))).outcome).toBe("allow");
  });

  it("PS-05: after the subject is erased, a new subject with the same address is still suppressed", async () => {
    const id = await f.subject({ email: "jo@example.com" });
    await f.req("POST", "/v1/suppression", {
      channel: "email",
      address: "jo@example.com",
      reason: "unsubscribe",
      source: "email-link",
    });
    const erased = await f.req("DELETE", `/v1/subjects/${id}`);
    expect(erased.statusCode, erased.body).toBe(200);
    expect(
      (
        await f.req("POST", "/v1/decisions", {
          use: marketing("marketing.communications", "email"),
          subjectId: id,
        })
      ).statusCode,
    ).toBe(404);
    expect((await check("email", "jo@example.com")).suppressed).toBe(true);
    const again = await f.subject({ email: "Jo@Example.com" });
    expect(again).not.toBe(id);
    const d = await f.decide(again, marketing("marketing.communications", "email"));
    expect(d.outcome).toBe("deny");
    expect(d.reasons[0]?.code).toBe("suppressed");
  });
});
