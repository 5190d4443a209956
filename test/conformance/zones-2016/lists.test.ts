import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listFixture, parseCsv, type ListFixture } from "../../lists/fixture.ts";

describe("zones 2016: promotions by post", () => {
  let f: ListFixture;
  beforeAll(async () => {
    f = await listFixture("zones");
    await f.contract("mail-house");
  });
  afterAll(async () => {
    await f?.t.close();
  });

  it("Z16-04: the mail house's list for a postal promotion has names and postal addresses, never an email address; a person who stopped postal promotions is not on it", async () => {
    await f.customer({ last: "Reader", email: "reader@example.com" });
    const stopped = await f.customer({ last: "Stopped" });
    await f.consent(stopped, {
      targetKind: "purpose",
      target: "marketing.communications.postal",
      action: "withdrawn",
    });
    const id = await f.sending({
      purpose: "marketing.communications.postal",
      channel: "postal",
      recipient: "mail-house",
    });
    const res = await f.req("POST", `/v1/campaigns/${id}/list`, { format: "csv" });
    expect(res.statusCode, res.body).toBe(200);
    const rows = parseCsv(res.body);
    expect(rows[0]).toEqual(["messageId", "first_name", "last_name", "postal_address"]);
    expect(res.body).not.toContain("@");
    const names = rows.slice(1).map((r) => r[2]);
    expect(names).toContain("Reader");
    expect(names).not.toContain("Stopped");
    const ledger = await f.t.store.db
      .selectFrom("disclosures")
      .select(["fields", "categories", "kind"])
      .where("disclosure_id", "=", res.headers["pledge-disclosure-id"] as string)
      .executeTakeFirstOrThrow();
    expect(ledger.kind).toBe("list");
    expect(ledger.fields).not.toContain("email");
    expect(ledger.categories).toEqual(["user.name", "user.contact.address.postal"]);
  });
});
