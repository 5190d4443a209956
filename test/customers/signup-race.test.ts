import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../harness/app.ts";
import { signupBody } from "./helpers.ts";

/**
 * Sign-ups racing for one email: the claim on the email (identity_claims, keyed by its blind
 * index) is taken in the same transaction as the record, so exactly one wins, however the email
 * is written, on one server as on a Citus cluster where the people may land on different nodes.
 */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ company: "zones" });
});
afterAll(() => t.close());

async function count(table: "subjects" | "subject_identities" | "customer_accounts" | "identity_claims") {
  const row = await t.store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe("sign-ups racing for one email", () => {
  it("let one of six through, the others refused as duplicates, nothing of theirs kept", async () => {
    const email = `race-${randomUUID().slice(0, 8)}@example.com`;
    const spellings = [email, email.toUpperCase(), email, `R${email.slice(1)}`, email, email.toUpperCase()];
    const tables = ["subjects", "subject_identities", "customer_accounts", "identity_claims"] as const;
    const before = await Promise.all(tables.map(count));
    // Each from its own address, so the sign-up rate limit stays out of the race.
    const answers = await Promise.all(
      spellings.map((e, i) =>
        t.app.inject({
          method: "POST",
          url: "/v1/account/signup",
          payload: signupBody({ email: e }),
          remoteAddress: `198.51.100.${i + 1}`,
        }),
      ),
    );
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    for (const res of answers.filter((r) => r.statusCode === 409))
      expect(res.json()).toMatchObject({ code: "PLEDGE_DUPLICATE_IDENTITY" });
    const after = await Promise.all(tables.map(count));
    expect(after.map((n, i) => n - before[i]!)).toEqual([1, 1, 1, 1]);
  });
});
