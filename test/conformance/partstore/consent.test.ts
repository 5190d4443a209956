import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture, marketing, type Fixture } from "../../consent/fixture.ts";

describe("partstore: Do Not Send", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture("partstore");
  });
  afterAll(async () => {
    await f?.t.close();
  });

  it("PS-05: an unsubscribe puts the address on Do Not Send; no promotional email reaches it, even after the record is deleted", async () => {
    const id = await f.subject({ email: "ps05@example.com" });
    const add = await f.req("POST", "/v1/suppression", {
      channel: "email",
      address: "ps05@example.com",
      reason: "unsubscribe",
      source: "email-link",
    });
    expect(add.statusCode).toBe(201);
    const refused = await f.decide(id, marketing("marketing.communications", "email"));
    expect(refused.outcome).toBe("deny");
    expect(refused.reasons[0]?.clause).toBe("PS-05");
    expect((await f.req("DELETE", `/v1/subjects/${id}`)).statusCode).toBe(200);
    const returning = await f.subject({ email: "PS05@example.com" });
    const again = await f.decide(returning, marketing("marketing.communications", "email"));
    expect(again.outcome).toBe("deny");
    expect(again.reasons[0]?.clause).toBe("PS-05");
  });
});
