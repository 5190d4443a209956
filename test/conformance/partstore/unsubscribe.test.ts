import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedHeaders, verifyDkim } from "../../messages/mail.ts";
import { emailFlow, oneClickUrl, type EmailFlow } from "../../unsubscribe/flow.ts";

const PURPOSE = "marketing.communications";

describe("partstore: unsubscribe link in a real email", () => {
  let f: EmailFlow;
  beforeAll(async () => {
    f = await emailFlow("partstore");
  });
  afterAll(async () => {
    await f?.close();
  });

  it("PS-05: the link in a received, DKIM-signed message puts the address on Do Not Send; no promotional email reaches it again, even after the record is deleted", async () => {
    const email = "ps05-link@example.com";
    const id = await f.subject({ email });
    expect(await f.audience(PURPOSE)).toContain(id);
    const message = await f.send(id, email, { purpose: PURPOSE });
    expect(message.envelope.to).toEqual([email]);
    expect((await verifyDkim(message.raw, f.key)).map((r) => r.status.result)).toEqual(["pass"]);
    expect(signedHeaders(message.raw)).toEqual(
      expect.arrayContaining(["list-unsubscribe", "list-unsubscribe-post"]),
    );

    const res = await f.oneClick(oneClickUrl(message.raw));
    expect(res.statusCode).toBe(200);
    const check = await f.req("POST", "/v1/suppression/check", { channel: "email", address: email });
    expect(check.json()).toMatchObject({ suppressed: true, entry: { source: "email-link" } });
    expect(await f.audience(PURPOSE)).not.toContain(id);

    expect((await f.req("DELETE", `/v1/subjects/${id}`)).statusCode).toBe(200);
    const returning = await f.subject({ email: "PS05-Link@example.com" });
    const audience = await f.audience(PURPOSE);
    expect(audience).not.toContain(returning);
    expect(audience).not.toContain(id);
    const still = await f.req("POST", "/v1/suppression/check", { channel: "email", address: email });
    expect(still.json()).toMatchObject({ suppressed: true });
  });

  it("PS-05: a link used after the record was deleted still puts the address on Do Not Send", async () => {
    const email = "ps05-late@example.com";
    const id = await f.subject({ email });
    const url = oneClickUrl((await f.send(id, email, { purpose: PURPOSE })).raw);
    expect((await f.req("DELETE", `/v1/subjects/${id}`)).statusCode).toBe(200);
    expect((await f.oneClick(url)).statusCode).toBe(200);
    const check = await f.req("POST", "/v1/suppression/check", { channel: "email", address: email });
    expect(check.json()).toMatchObject({ suppressed: true });
    const returning = await f.subject({ email });
    expect(await f.audience(PURPOSE)).not.toContain(returning);
  });
});
