import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compilePolicy } from "../../src/gate/compile.ts";
import { loadSubjectFacts } from "../../src/use/facts.ts";
import { compileAudience } from "../../src/gate/sql.ts";
import { selectAudience } from "../../src/use/audience.ts";
import { loadPackFile } from "../../src/policy/load.ts";
import type { Store } from "../../src/store/store.ts";
import { freshStore } from "../harness/store.ts";

const LIVE = "00000000-0000-4000-8000-000000000001";
const ERASED = "00000000-0000-4000-8000-000000000002";
let store: Store;
beforeEach(async () => {
  store = await freshStore();
  await store.db
    .insertInto("subjects")
    .values([
      { subject_id: LIVE, status: "customer", jurisdiction: "US" },
      { subject_id: ERASED, status: "former", jurisdiction: null },
    ])
    .execute();
  await store.db
    .updateTable("subjects")
    .set({ erased_at: new Date() })
    .where("subject_id", "=", ERASED)
    .execute();
});
afterEach(() => store.close());

describe("erased subjects", () => {
  it("are in no audience and have no facts: the tombstone row is nobody to use", async () => {
    const policy = compilePolicy(await loadPackFile("policies/partstore/2009-09-27.yaml"));
    const at = "2026-01-01T00:00:00Z";
    const use = {
      action: "send" as const,
      purpose: "marketing.communications",
      actor: { kind: "system" as const, id: "test" },
      fields: ["email"],
      channel: "email" as const,
      messageClass: "marketing" as const,
      at,
    };
    const facts = { actorAttested: true, recipientContractOnFile: null, deploymentRegion: "us" };
    expect(await selectAudience(store.db, compileAudience(policy, facts, use))).toEqual([LIVE]);
    expect(await loadSubjectFacts(store.db, ERASED, at)).toBeNull();
    expect(await loadSubjectFacts(store.db, LIVE, at)).not.toBeNull();
  });
});
