import { randomBytes, randomUUID } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { headerLocalPart, refOfLocalPart } from "../../src/modules/campaigns/message-id.ts";

/** The Message-ID's local part names the message and, masked, its person. */
describe("a campaign message's Message-ID", () => {
  const key = randomBytes(32);
  const uuid = fc.uuid().map((u) => u.toLowerCase());

  it("gives back the message and person it was made of, and only under its key", () => {
    fc.assert(
      fc.property(uuid, uuid, (messageId, subjectId) => {
        const local = headerLocalPart(key, { messageId, subjectId });
        expect(refOfLocalPart(key, local)).toEqual({ messageId, subjectId });
        expect(local).not.toContain(subjectId);
        expect(local).not.toContain(subjectId.replace(/-/g, ""));
        expect(refOfLocalPart(randomBytes(32), local)?.subjectId).not.toBe(subjectId);
      }),
    );
  });

  it("two messages to one person share nothing after the message id", () => {
    const subjectId = randomUUID();
    const a = headerLocalPart(key, { messageId: randomUUID(), subjectId }).split(".")[1]!;
    const b = headerLocalPart(key, { messageId: randomUUID(), subjectId }).split(".")[1]!;
    expect(a).not.toBe(b);
  });

  it("an altered person or message names someone else; other forms name nobody", () => {
    const ref = { messageId: randomUUID(), subjectId: randomUUID() };
    const local = headerLocalPart(key, ref);
    const [m, p] = local.split(".") as [string, string];
    const flipped = `${m}.${p[0] === "A" ? "B" : "A"}${p.slice(1)}`;
    expect(refOfLocalPart(key, flipped)?.subjectId).not.toBe(ref.subjectId);
    expect(refOfLocalPart(key, `${randomUUID()}.${p}`)?.subjectId).not.toBe(ref.subjectId);
    for (const other of [m, `${m}.`, `${m}.${p}x`, `${m}.${p.slice(1)}`, "request-1-2", `x.${p}`, ""]) {
      expect(refOfLocalPart(key, other)).toBeNull();
    }
  });
});
