import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compilePolicy, explainAudience, type Use } from "../../src/gate/index.ts";
import type { Channel } from "../../src/policy/schema.ts";
import { selectAudience } from "../../src/use/audience.ts";
import {
  buildKept,
  checkKept,
  keptAudiences,
  keptRows,
  sweepKept,
  type KeptAudience,
} from "../../src/use/kept.ts";
import { until } from "../harness/wait.ts";
import { campaignFixture, type CampaignFixture } from "./helpers.ts";

/**
 * Kept audiences through the API (partstore): built once, then kept current by the routes that
 * change what the gate reads (consents, the Do Not Send list, status, erasure), each audience
 * always holding exactly the people the gate's predicate selects; and the campaign's draw reads
 * them.
 */
let f: CampaignFixture;
const people: string[] = [];
const emails: string[] = [];

beforeAll(async () => {
  f = await campaignFixture("partstore");
  for (let i = 0; i < 8; i += 1) {
    emails.push(`kept-${i}@example.com`);
    people.push(await f.person(emails[i]!));
  }
});
afterAll(() => f?.close());

function current(): {
  audiences: readonly KeptAudience[];
  version: string;
  policy: ReturnType<typeof compilePolicy>;
} {
  const policy = compilePolicy(f.t.pack());
  return { audiences: keptAudiences(policy, f.t.pack(), "us"), version: policy.version, policy };
}

const FACTS = { actorAttested: true, recipientContractOnFile: null, deploymentRegion: "us" };

function sendUse(purpose: string, channel: Channel): Use {
  return {
    action: "send",
    purpose,
    channel,
    messageClass: "marketing",
    fields: [],
    actor: { kind: "system", id: "campaigns" },
    at: new Date().toISOString(),
  };
}

/**
 * Every kept audience read as a campaign reads it equals the predicate's selection; then, swept,
 * no one is marked and its rows alone are exactly right (none missing or extra).
 */
async function expectCurrent(): Promise<void> {
  await expectReadsEqual();
  const { audiences, version } = current();
  await sweepKept(f.t.store.db, audiences);
  expect(await f.t.store.db.selectFrom("audience_stale").selectAll().execute()).toEqual([]);
  const checks = await checkKept(f.t.store.db, audiences, version);
  for (const c of checks) {
    expect(c.built, c.key).toBe(true);
    expect({ key: c.key, missing: c.missing, extra: c.extra }).toEqual({ key: c.key, missing: 0, extra: 0 });
  }
  await expectReadsEqual();
}

async function expectReadsEqual(): Promise<void> {
  const { audiences, version, policy } = current();
  for (const a of audiences) {
    const explained = explainAudience(policy, FACTS, {
      ...sendUse(a.description.purpose, a.description.channel as Channel),
      ...(a.description.topic === null ? {} : { topic: a.description.topic }),
    });
    const kept = await f.t.store.db.transaction().execute(async (trx) => {
      const rows = await keptRows(trx, explained, version);
      expect(
        rows,
        `${a.description.purpose} by ${a.description.channel} is read from its rows`,
      ).not.toBeNull();
      const found = await trx.selectFrom(rows!.as("k")).select("k.subject_id").execute();
      return found.map((r) => r.subject_id).sort();
    });
    expect(kept).toEqual((await selectAudience(f.t.store.db, explained)).sort());
  }
}

async function suppress(email: string, on: boolean): Promise<void> {
  const res = on
    ? await f.req("POST", "/v1/suppression", {
        channel: "email",
        address: email,
        reason: "unsubscribe",
        source: "staff",
      })
    : await f.req("POST", "/v1/suppression/remove", {
        channel: "email",
        address: email,
        reason: "added_in_error",
      });
  expect(res.statusCode, res.body).toBeLessThan(300);
}

describe("kept audiences", () => {
  it("a server builds the audiences of the policy in force by itself, and they read as the gate selects", async () => {
    const { audiences, version } = current();
    await f.consent(people[0]!, "purpose", "marketing.communications", "granted");
    await until(
      "the server to build every kept audience",
      async () => {
        const built = await f.t.store.db
          .selectFrom("kept_audiences")
          .select("audience")
          .where("policy_version", "=", version)
          .execute();
        return built.length === audiences.length ? true : null;
      },
      { timeoutMs: 30_000, everyMs: 100 },
    );
    await expectReadsEqual();
  });

  it("a build fills each audience the pack's marketing sends have, with exactly the gate's people", async () => {
    const { audiences, version } = current();
    expect(audiences.length).toBeGreaterThan(0);
    await f.consent(people[0]!, "purpose", "marketing.communications", "granted");
    await f.consent(people[1]!, "purpose", "marketing.communications", "granted", "email");
    const built = await buildKept(f.t.store.db, audiences, version, new Date());
    expect(built.map((b) => b.key).sort()).toEqual(audiences.map((a) => a.key).sort());
    await expectCurrent();
  });

  it("a person whose address goes on the Do Not Send list and comes off it leaves the audience and comes back", async () => {
    const who = people[2]!;
    await f.consent(who, "purpose", "marketing.communications", "granted", "email");
    const inEmail = async () => {
      const { policy, version } = current();
      const explained = explainAudience(policy, FACTS, sendUse("marketing.communications", "email"));
      return f.t.store.db.transaction().execute(async (trx) => {
        const rows = await keptRows(trx, explained, version);
        const found = await trx.selectFrom(rows!.as("k")).select("k.subject_id").execute();
        return found.some((r) => r.subject_id === who);
      });
    };
    expect(await inEmail()).toBe(true);
    const sweep = () => sweepKept(f.t.store.db, current().audiences);
    await suppress(emails[2]!, true);
    expect(await inEmail()).toBe(false);
    await sweep();
    expect(await inEmail()).toBe(false);
    await expectCurrent();
    // Off the list again: the mark the removal leaves makes the read decide them live, and the
    // sweep puts their row back.
    await suppress(emails[2]!, false);
    expect(await inEmail()).toBe(true);
    await sweep();
    expect(await inEmail()).toBe(true);
    await expectCurrent();
  });

  it("stays equal to the gate through consents, the Do Not Send list, status changes and erasure, in any order", async () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant("consent" as const),
        who: fc.nat(people.length - 2),
        action: fc.constantFrom("granted", "withdrawn", "objected"),
        channel: fc.constantFrom("", "email"),
      }),
      fc.record({ kind: fc.constant("suppress" as const), who: fc.nat(people.length - 2), on: fc.boolean() }),
      fc.record({
        kind: fc.constant("status" as const),
        who: fc.nat(people.length - 2),
        status: fc.constantFrom("customer", "former", "prospect"),
      }),
    );
    const listed = new Set<number>();
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 3, maxLength: 10 }), async (ops) => {
        for (const o of ops) {
          if (o.kind === "consent") {
            await f.consent(people[o.who]!, "purpose", "marketing.communications", o.action, o.channel);
          } else if (o.kind === "suppress") {
            if (o.on === listed.has(o.who)) continue;
            await suppress(emails[o.who]!, o.on);
            if (o.on) listed.add(o.who);
            else listed.delete(o.who);
          } else {
            const id = people[o.who]!;
            const read = await f.t.app.inject({
              method: "GET",
              url: `/v1/subjects/${id}?purpose=essential.service.order_fulfilment`,
              headers: { authorization: `Bearer ${f.admin}` },
            });
            expect(read.statusCode, read.body).toBe(200);
            const res = await f.t.app.inject({
              method: "PATCH",
              url: `/v1/subjects/${id}`,
              headers: { authorization: `Bearer ${f.admin}`, "if-match": read.headers.etag as string },
              payload: {
                purpose: "essential.service.order_fulfilment",
                collectionPoint: "staff.console",
                status: o.status,
              },
            });
            expect(res.statusCode, res.body).toBe(200);
          }
        }
        await expectCurrent();
      }),
      { numRuns: 6, seed: 20261207 },
    );
    // Erasure takes the person out of every audience.
    const last = people[people.length - 1]!;
    await f.consent(last, "purpose", "marketing.communications", "granted");
    await expectCurrent();
    const erased = await f.t.app.inject({
      method: "DELETE",
      url: `/v1/subjects/${last}`,
      headers: { authorization: `Bearer ${f.admin}` },
    });
    expect(erased.statusCode, erased.body).toBe(200);
    await expectCurrent();
    const rows = await f.t.store.db
      .selectFrom("audience_members")
      .select("subject_id")
      .where("subject_id", "=", last)
      .execute();
    expect(rows).toEqual([]); // swept by expectCurrent
  });

  it("changes of the same people at once, with sweeps running between them, leave every audience exact", async () => {
    const { audiences } = current();
    const few = [3, 4, 5];
    const actions = ["granted", "withdrawn", "objected"] as const;
    await suppress(emails[5]!, true);
    const work: Promise<unknown>[] = [
      suppress(emails[3]!, true),
      suppress(emails[4]!, true),
      suppress(emails[5]!, false),
    ];
    for (let round = 0; round < 4; round++) {
      for (const who of few) {
        const action = actions[(round + who) % 3]!;
        work.push(
          f.consent(people[who]!, "purpose", "marketing.communications", action, round % 2 ? "email" : ""),
        );
      }
      work.push(sweepKept(f.t.store.db, audiences, { batch: 1 }));
    }
    await Promise.all(work);
    await expectCurrent();
    await suppress(emails[3]!, false);
    await suppress(emails[4]!, false);
  });

  it("a campaign's draw reads the kept rows", async () => {
    // A row no write would make: the person is not in the gate's audience, yet the draw takes
    // them, which shows the draw read the rows and not the predicate.
    const { audiences, version, policy } = current();
    // No one marked: the app's sweep, on its own timer, has nobody to work out again meanwhile.
    await sweepKept(f.t.store.db, audiences);
    const explained = explainAudience(policy, FACTS, sendUse("marketing.communications", "email"));
    const gate = await selectAudience(f.t.store.db, explained);
    const outsider = people.find((p, i) => i < people.length - 1 && !gate.includes(p))!;
    expect(outsider).toBeDefined();
    const kept = audiences.find(
      (a) => a.description.purpose === "marketing.communications" && a.description.channel === "email",
    )!;
    await f.t.store.db
      .insertInto("audience_members")
      .values({ subject_id: outsider, audience: kept.key, birth_date: "1980-04-02" })
      .execute();
    const checks = await checkKept(f.t.store.db, audiences, version);
    expect(checks.find((c) => c.key === kept.key)?.extra).toBe(1);
    const id = await f.campaign({
      purpose: "marketing.communications",
      messageClass: "marketing",
      channel: "email",
      subjectLine: "Hi",
    });
    const res = await f.req("POST", `/v1/campaigns/${id}/send`);
    expect(res.statusCode, res.body).toBe(202);
    const drawn = await f.t.store.db
      .selectFrom("campaign_messages")
      .select("subject_id")
      .where("campaign_id", "=", id)
      .execute();
    expect(drawn.map((r) => r.subject_id).sort()).toEqual([...gate, outsider].sort());
    await f.finished(id);
    // A rebuild puts it right.
    await buildKept(f.t.store.db, audiences, version, new Date());
    await expectCurrent();
  });
});
