import { ACCOUNT } from "../../harness/purposes.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listFixture, parseCsv, type ListFixture } from "../../lists/fixture.ts";

describe("zmailcloud: marketing by post and by telephone", () => {
  let f: ListFixture;
  beforeAll(async () => {
    f = await listFixture("zmailcloud");
    await f.contract("mail-house");
    await f.contract("call-centre");
  });
  afterAll(async () => {
    await f?.t.close();
  });

  const list = async (channel: "postal" | "phone", recipient: string) => {
    const id = await f.sending({ purpose: "marketing.communications", channel, recipient });
    const res = await f.req("POST", `/v1/campaigns/${id}/list`, { format: "csv" });
    expect(res.statusCode, res.body).toBe(200);
    return parseCsv(res.body);
  };

  it("ZM-06: stopping post with one click takes the person off the mail house's list and stopping telephone off the call centre's, each alone", async () => {
    await f.customer({ last: "Both", phone: "+12025550101" });
    const noPost = await f.customer({ last: "NoPost", phone: "+12025550102" });
    const noPhone = await f.customer({ last: "NoPhone", phone: "+12025550103" });
    for (const [id, channel] of [
      [noPost, "postal"],
      [noPhone, "phone"],
    ] as const) {
      const res = await f.req("POST", `/v1/subjects/${id}/channels/${channel}/stop`, {
        purpose: ACCOUNT.zmailcloud,
        source: "web",
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    const postal = await list("postal", "mail-house");
    expect(postal[0]).toEqual(["messageId", "first_name", "last_name", "postal_address"]);
    const onPostal = postal.slice(1).map((r) => r[2]);
    expect(onPostal).toEqual(expect.arrayContaining(["Both", "NoPhone"]));
    expect(onPostal).not.toContain("NoPost");

    const phone = await list("phone", "call-centre");
    expect(phone[0]).toEqual(["messageId", "first_name", "last_name", "phone"]);
    const onPhone = phone.slice(1).map((r) => r[2]);
    expect(onPhone).toEqual(expect.arrayContaining(["Both", "NoPost"]));
    expect(onPhone).not.toContain("NoPhone");
    // In CSV a cell starting with + is prefixed with ' so spreadsheets do not read it as a formula.
    expect(phone.slice(1).find((r) => r[2] === "Both")?.[3]).toBe("'+12025550101");
    // Each list carries only what its channel needs: no email, no address on the phone list.
    expect(JSON.stringify(postal)).not.toContain("@");
    expect(JSON.stringify(phone)).not.toContain("@");
    expect(JSON.stringify(phone)).not.toContain("Main Street");
  });
});
