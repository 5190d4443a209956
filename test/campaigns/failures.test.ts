import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { campaignFixture, type CampaignFixture } from "./helpers.ts";

/**
 * An SMTP server that refuses or drops mid-send: temporary failures are retried (with backoff)
 * and never sent twice; permanent refusals are failed, never retried; nothing is lost.
 */
const plan = { refuse: (_n: number): number | null => null, drop: (_n: number) => false };
let f: CampaignFixture;
const people: string[] = [];

beforeAll(async () => {
  f = await campaignFixture("partstore", {
    refuse: (n) => plan.refuse(n),
    dropAfterData: (n) => plan.drop(n),
  });
  for (let i = 0; i < 6; i++) people.push(await f.person(`retry${i}@example.com`));
});
afterAll(() => f?.close());

async function sendOne(name: string) {
  const id = await f.campaign({
    name,
    purpose: "marketing.communications",
    messageClass: "marketing",
    channel: "email",
    subjectLine: name,
    text: "Hello",
  });
  const before = f.sink.messages.length;
  const attempts = f.sink.attempts();
  expect((await f.req("POST", `/v1/campaigns/${id}/send`)).statusCode).toBe(202);
  const view = await f.finished(id, 90_000);
  return {
    id,
    view,
    got: f.sink.messages.slice(before),
    attempts: f.sink.attempts() - attempts,
    start: attempts,
  };
}

describe("SMTP failures", () => {
  it("a 4xx refusal is retried until the server recovers; each person gets one message", async () => {
    let first: number | null = null;
    plan.refuse = (n) => {
      first ??= n;
      return n - first < 4 ? 451 : null; // the first four attempts are refused, then it recovers
    };
    const { view, got, attempts } = await sendOne("temporary");
    plan.refuse = () => null;
    expect(view.status).toBe("sent");
    expect(view.messages.sent).toBe(6);
    expect(got).toHaveLength(6);
    const to = got.flatMap((m) => m.envelope.to);
    expect(new Set(to).size).toBe(6);
    expect(attempts).toBe(10);
  });

  it("a 5xx refusal is permanent: the message fails and is never tried again", async () => {
    let first: number | null = null;
    plan.refuse = (n) => {
      first ??= n;
      return n === first ? 550 : null;
    };
    const { id, view, got, attempts } = await sendOne("permanent");
    plan.refuse = () => null;
    expect(view.status).toBe("sent");
    expect(view.messages.failed).toBe(1);
    expect(view.messages.sent).toBe(5);
    expect(got).toHaveLength(5);
    expect(attempts).toBe(6);
    const failed = await f.t.store.db
      .selectFrom("campaign_messages")
      .select(["last_error", "attempts"])
      .where("campaign_id", "=", id)
      .where("state", "=", "failed")
      .execute();
    expect(failed).toEqual([{ last_error: "smtp_refused", attempts: 1 }]);
  });

  it("a connection dropped mid-DATA is retried: never sent twice, never lost", async () => {
    let first: number | null = null;
    plan.drop = (n) => {
      first ??= n;
      return n - first < 2;
    };
    const { view, got } = await sendOne("dropped");
    plan.drop = () => false;
    expect(view.status).toBe("sent");
    expect(view.messages.sent).toBe(6);
    const to = got.flatMap((m) => m.envelope.to);
    expect(to).toHaveLength(6);
    expect(new Set(to).size).toBe(6);
  });
});
