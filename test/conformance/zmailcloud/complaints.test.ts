import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { complaintFixture, type ComplaintFixture } from "../../complaints/helpers.ts";

/** The purpose support staff work complaints under (zmailcloud). */
const SUPPORT = "essential.service.troubleshooting";

describe("zmailcloud: privacy complaints", () => {
  let f: ComplaintFixture;
  beforeAll(async () => {
    f = await complaintFixture();
  });
  afterAll(async () => {
    await f?.t.close();
  });

  const listed = async (status = "unresolved") =>
    (
      (await f.req("GET", `/v1/privacy-complaints?status=${status}`)).json() as { items: { id: string }[] }
    ).items.map((i) => i.id);

  it('ZM-12: an email with "Privacy Policy" in the subject is tracked, listed open until resolved, its history audited; one without is not tracked', async () => {
    const ignored = await f.inbound({ from: "a@example.com", subject: "Hello", text: "not a complaint" });
    expect(ignored.statusCode).toBe(202);
    expect(ignored.json()).toEqual({ tracked: false });
    expect(await f.t.store.db.selectFrom("privacy_complaints").selectAll().execute()).toEqual([]);
    expect(
      await f.t.store.db.selectFrom("rights_requests").selectAll().where("kind", "=", "complaint").execute(),
    ).toEqual([]);

    const res = await f.inbound({
      from: "a@example.com",
      subject: "Complaint: Privacy Policy",
      text: "why?",
    });
    expect(res.statusCode).toBe(201);
    const id = (res.json() as { complaint: { id: string } }).complaint.id;
    expect(await listed("open")).toEqual([id]);

    const { staffId, key } = await f.t.staff("support");
    const move = (status: string, version: number, note?: string) =>
      f.req("PATCH", `/v1/privacy-complaints/${id}`, {
        key,
        payload: { purpose: SUPPORT, status, ...(note === undefined ? {} : { note }) },
        headers: { "if-match": `"${version}"` },
      });
    const opened = (res.json() as { complaint: { version: number } }).complaint.version;
    const started = await move("in_progress", opened);
    expect(started.statusCode).toBe(200);
    expect(await listed()).toEqual([id]);
    // Tracked as a rights request: in the request queue, with its clock.
    const queue = (await f.req("GET", "/v1/requests?kind=complaint")).json() as {
      items: { id: string; state: string; due: string | null }[];
    };
    expect(queue.items).toContainEqual(expect.objectContaining({ id, state: "in_progress" }));
    expect(queue.items.find((i) => i.id === id)!.due).not.toBeNull();
    const version = (started.json() as { version: number }).version;
    expect((await move("resolved", version, "Explained and corrected.")).statusCode).toBe(200);
    expect(await listed()).toEqual([]);
    expect(await listed("resolved")).toEqual([id]);

    const audit = await f.auditOf(id);
    expect(audit.map((a) => `${a.type} ${a.actor} ${String(a.payload.to ?? "")}`.trim())).toEqual([
      "request.received system:inbound-mail",
      "request.moved system:inbound-mail verified",
      `request.moved staff:${staffId} in_progress`,
      `request.moved staff:${staffId} fulfilled`,
    ]);
  });
});
