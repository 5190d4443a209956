import { ACCOUNT } from "../../harness/purposes.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture, marketing, type Fixture } from "../../consent/fixture.ts";

describe("zmailcloud: stopping a channel", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture("zmailcloud");
  });
  afterAll(async () => {
    await f?.t.close();
  });

  it("ZM-06: marketing by email, post or telephone can each be stopped with a single call", async () => {
    const channels = ["email", "postal", "phone"] as const;
    for (const channel of channels) {
      const id = await f.subject();
      expect((await f.decide(id, marketing("marketing.communications", channel))).outcome).toBe("allow");
      const res = await f.req("POST", `/v1/subjects/${id}/channels/${channel}/stop`, {
        purpose: ACCOUNT.zmailcloud,
        source: "email-link",
      });
      expect(res.statusCode).toBe(200);
      expect((await f.decide(id, marketing("marketing.communications", channel))).outcome).toBe("deny");
      for (const other of channels.filter((c) => c !== channel)) {
        expect((await f.decide(id, marketing("marketing.communications", other))).outcome).toBe("allow");
      }
    }
  });
});
