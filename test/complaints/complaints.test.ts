import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { complaintFixture, HOOK_SECRET, type ComplaintFixture } from "./helpers.ts";

/** The purpose support staff work complaints under (zmailcloud). */
const SUPPORT = "essential.service.troubleshooting";

interface Summary {
  id: string;
  status: string;
  linked: boolean;
  ageDays: number;
  version: number;
}

describe("privacy complaints", () => {
  let f: ComplaintFixture;
  beforeAll(async () => {
    f = await complaintFixture();
  });
  afterAll(async () => {
    await f?.t.close();
  });

  const rows = () => f.t.store.db.selectFrom("privacy_complaints").selectAll().execute();

  it('the hook needs the shared secret; a message without "Privacy Policy" is answered 202 and not stored', async () => {
    const before = (await rows()).length;
    const wrong = await f.t.app.inject({
      method: "POST",
      url: "/v1/privacy-complaints/inbound",
      headers: { "x-pledge-hook-secret": HOOK_SECRET.replace("a", "b") },
      payload: { from: "x@example.com", subject: "Privacy Policy", text: "t" },
    });
    expect(wrong.statusCode).toBe(401);
    const unauthenticated = await f.t.app.inject({
      method: "POST",
      url: "/v1/privacy-complaints/inbound",
      payload: { from: "x@example.com", subject: "Privacy Policy", text: "t" },
    });
    expect(unauthenticated.statusCode).toBe(401);
    const other = await f.inbound({ from: "x@example.com", subject: "Where is my invoice?", text: "hello" });
    expect(other.statusCode).toBe(202);
    expect(other.json()).toEqual({ tracked: false });
    expect((await rows()).length).toBe(before);
  });

  it("an unknown sender's complaint is stored encrypted under its own key; the list shows no personal values", async () => {
    const receivedAt = new Date(Date.now() - 3 * 86_400_000 - 60_000).toISOString();
    const res = await f.inbound({
      from: "Grace <grace.unknown@example.org>",
      subject: "Re: your privacy POLICY",
      text: "You shared my address with a partner.",
      receivedAt,
    });
    expect(res.statusCode).toBe(201);
    const { complaint } = res.json() as { tracked: true; complaint: Summary };
    expect(complaint).toMatchObject({ status: "open", linked: false, ageDays: 3, version: 2 });
    const row = (await rows()).find((r) => r.complaint_id === complaint.id)!;
    expect(row.key_id).toBe(complaint.id);
    expect(row.subject_id).toBeNull();
    expect(row.from_index).toMatch(/\S/);
    const stored = JSON.stringify(row);
    expect(stored).not.toContain("grace.unknown");
    expect(stored).not.toContain("partner");
    const list = await f.req("GET", "/v1/privacy-complaints?status=open");
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain("grace");
    expect((list.json() as { items: Summary[] }).items.map((i) => i.id)).toContain(complaint.id);
  });

  it("a sender who is a subject is linked, and the content is under the subject's key", async () => {
    const subjectId = await f.subject("linked.sender@example.com");
    const res = await f.inbound({
      from: "Linked.Sender@Example.com",
      subject: "Privacy Policy",
      text: "Please explain.",
    });
    const { complaint } = res.json() as { complaint: Summary };
    expect(complaint.linked).toBe(true);
    const row = (await rows()).find((r) => r.complaint_id === complaint.id)!;
    expect(row).toMatchObject({ subject_id: subjectId, key_id: subjectId });
    const audit = await f.auditOf(complaint.id);
    expect(audit.map((a) => [a.type, a.actor, a.payload.from ?? null, a.payload.to ?? null])).toEqual([
      ["request.received", "system:inbound-mail", null, null],
      ["request.moved", "system:inbound-mail", "received", "verified"],
    ]);
    expect(audit[0]!.payload).toMatchObject({ kind: "complaint", intake: "mail", matched: true });
    expect(JSON.stringify(audit)).not.toContain("linked.sender");
  });

  it("moves follow the transition table with If-Match, a note closes, and every move is audited", async () => {
    const { staffId, key } = await f.t.staff("support");
    const opened = await f.req("POST", "/v1/privacy-complaints", {
      key,
      payload: { from: "someone@example.net", text: "By phone: unhappy about cookies." },
    });
    expect(opened.statusCode).toBe(201);
    const id = (opened.json() as Summary).id;
    const patch = (body: unknown, ifMatch?: string) =>
      f.req("PATCH", `/v1/privacy-complaints/${id}`, {
        key,
        payload: { purpose: SUPPORT, ...(body as object) },
        ...(ifMatch === undefined ? {} : { headers: { "if-match": ifMatch } }),
      });
    expect((await patch({ status: "in_progress" })).statusCode).toBe(428);
    expect((await patch({ status: "in_progress" }, '"7"')).statusCode).toBe(412);
    expect(opened.json()).toMatchObject({ status: "open", version: 2 });
    const started = await patch({ status: "in_progress" }, opened.headers.etag as string);
    expect(started.statusCode).toBe(200);
    expect(started.json()).toMatchObject({ status: "in_progress", version: 3 });
    expect((await patch({ status: "resolved" }, '"3"')).statusCode).toBe(400);
    // A complaint is a rights request: in the queue with its clock, and closed only here, with a note.
    const queued = await f.req("GET", "/v1/requests?kind=complaint");
    expect(queued.json().items).toContainEqual(
      expect.objectContaining({ id, kind: "complaint", state: "in_progress", due: expect.any(String) }),
    );
    const around = await f.req("POST", `/v1/requests/${id}/moves`, {
      payload: { to: "fulfilled" },
      headers: { "if-match": '"3"' },
    });
    expect(around.statusCode).toBe(409);
    expect(around.json().detail).toContain("/v1/privacy-complaints/");
    const resolved = await patch({ status: "resolved", note: "Cookie banner fixed." }, '"3"');
    expect(resolved.statusCode).toBe(200);
    const reopen = await patch({ status: "open" }, '"4"');
    expect(reopen.statusCode).toBe(409);
    expect(reopen.json()).toMatchObject({ code: "PLEDGE_COMPLAINT_TRANSITION_INVALID" });
    const request = (await f.req("GET", `/v1/requests/${id}`)).json();
    expect(request).toMatchObject({ kind: "complaint", state: "fulfilled", intake: "staff", due: null });

    const unresolved = await f.req("GET", "/v1/privacy-complaints");
    expect((unresolved.json() as { items: Summary[] }).items.map((i) => i.id)).not.toContain(id);
    const done = await f.req("GET", "/v1/privacy-complaints?status=resolved");
    expect((done.json() as { items: Summary[] }).items.map((i) => i.id)).toContain(id);

    const audit = await f.auditOf(id);
    expect(audit.map((a) => [a.type, a.actor, a.payload.from ?? null, a.payload.to ?? null])).toEqual([
      ["request.received", `staff:${staffId}`, null, null],
      ["request.moved", `staff:${staffId}`, "received", "verified"],
      ["request.moved", `staff:${staffId}`, "verified", "in_progress"],
      ["request.moved", `staff:${staffId}`, "in_progress", "fulfilled"],
    ]);
    const detail = await f.req(
      "GET",
      `/v1/privacy-complaints/${id}?purpose=essential.service.troubleshooting`,
      {
        key,
      },
    );
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toMatchObject({
      status: "resolved",
      from: "someone@example.net",
      subject: "Privacy Policy",
      text: "By phone: unhappy about cookies.",
      resolutionNote: "Cookie banner fixed.",
      history: [
        { from: null, to: "open", actor: `staff:${staffId}` },
        { from: "open", to: "in_progress", actor: `staff:${staffId}` },
        { from: "in_progress", to: "resolved", actor: `staff:${staffId}` },
      ],
    });
  });

  it("reading the content is gate-checked and audited: a purpose shows only its fields, a role without it is refused", async () => {
    const res = await f.inbound({
      from: "reader@example.com",
      subject: "privacy policy",
      text: "secret text",
    });
    const id = (res.json() as { complaint: Summary }).complaint.id;
    const marketing = await f.t.apiKey("marketing");
    const refused = await f.req(
      "GET",
      `/v1/privacy-complaints/${id}?purpose=essential.service.troubleshooting`,
      {
        key: marketing,
      },
    );
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain("secret text");
    const partial = await f.req("GET", `/v1/privacy-complaints/${id}?purpose=essential.service.feedback`, {
      key: marketing,
    });
    expect(partial.statusCode).toBe(200);
    expect(partial.json()).toMatchObject({ from: "reader@example.com", text: null, subject: null });
    const unknown = await f.req("GET", `/v1/privacy-complaints/${id}?purpose=nope.nothing`);
    expect(unknown.statusCode).toBe(403);
    const reads = (await f.auditOf(id)).filter((a) => a.type === "complaint.read");
    expect(reads).toEqual([
      {
        type: "complaint.read",
        actor: expect.stringMatching(/^staff:/) as unknown as string,
        payload: { complaintId: id, purpose: "essential.service.feedback", fields: ["email"] },
      },
    ]);
    const missing = await f.req(
      "GET",
      "/v1/privacy-complaints/00000000-0000-4000-8000-000000000000?purpose=essential.service.troubleshooting",
    );
    expect(missing.statusCode).toBe(404);
  });
});
