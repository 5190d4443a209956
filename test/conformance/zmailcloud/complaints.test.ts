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
    expect((await move("in_progress", 1)).statusCode).toBe(200);
    expect(await listed()).toEqual([id]);
    expect((await move("resolved", 2, "Explained and corrected.")).statusCode).toBe(200);
    expect(await listed()).toEqual([]);
    expect(await listed("resolved")).toEqual([id]);

    const audit = await f.auditOf(id);
    expect(audit.map((a) => `${a.type} ${a.actor} ${String(a.payload.to ?? "")}`.trim())).toEqual([
      "complaint.opened system:inbound-mail",
      `complaint.moved staff:${staffId} in_progress`,
      `complaint.moved staff:${staffId} resolved`,
    ]);
  });
});
