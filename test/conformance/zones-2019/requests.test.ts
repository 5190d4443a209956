import { strFromU8, unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "../../harness/wait.ts";
import {
  linkIn,
  requestsFixture,
  subjectLine,
  textOf,
  type RequestsFixture,
} from "../../requests/helpers.ts";

/**
 * Zones 2019 through the rights-request workflow: the person (or staff on their behalf) makes a
 * request, staff fulfil it, and what the clause promises arrives by email as a download.
 */
let f: RequestsFixture;
const LAST_YEAR = "2025-05-01T17:00:00.000Z";
const THIS_YEAR = "2026-03-02T17:00:00.000Z";

beforeAll(async () => {
  f = await requestsFixture(LAST_YEAR);
  const contract = await f.req("PUT", "/v1/recipients/marketing-partners", {
    body: {
      legalName: "Reputable Marketers LLC",
      address: "9 Pier, Oakland, CA 94607, US",
      contractRef: "C-1",
      contractSignedOn: "2000-01-01",
    },
  });
  if (contract.statusCode !== 200) throw new Error(`contract: ${contract.body}`);
});
afterAll(() => f.close());

const download = async (email: string) => {
  const zip = await f.t.app.inject({
    method: "GET",
    url: linkIn(await f.notice(email, /is complete/), "/v1/requests/download/"),
  });
  expect(zip.statusCode).toBe(200);
  const files = unzipSync(new Uint8Array(zip.rawPayload));
  return {
    json: JSON.parse(strFromU8(files["data.json"]!)) as Record<string, unknown>,
    csv: strFromU8(files["data.csv"]!),
  };
};

describe("zones 2019: rights requests", () => {
  it("Z19-10: a California resident's disclosure report request is answered with last year's recipients, by name and address", async () => {
    f.now = new Date(LAST_YEAR);
    const p = await f.person();
    const shared = await f.req("POST", "/v1/exports", {
      body: {
        recipient: "marketing-partners",
        purpose: "third_party_sharing.marketing",
        fields: ["last_name", "postal_address"],
        format: "csv",
      },
    });
    expect(shared.statusCode).toBe(200);
    f.now = new Date(THIS_YEAR);
    const made = await f.req("POST", "/v1/requests", {
      body: { kind: "disclosure_report", claimant: { email: p.email } },
    });
    expect(made.json().request).toMatchObject({ state: "verified", law: "ccpa" });
    expect((await f.move(made.json().request.id, { to: "fulfilled" })).json().state).toBe("fulfilled");
    const { json, csv } = await download(p.email);
    expect(json).toMatchObject({
      year: 2025,
      recipients: [
        {
          id: "marketing-partners",
          name: "Reputable Marketers LLC",
          address: "9 Pier, Oakland, CA 94607, US",
        },
      ],
    });
    expect(csv).toContain("Reputable Marketers LLC");
  });

  it("ALL-04: through requests, a person gets all their data with who it was given to, has it corrected, and has it deleted with a notice", async () => {
    f.now = new Date(LAST_YEAR);
    const p = await f.person();
    await f.req("POST", "/v1/exports", {
      body: {
        recipient: "marketing-partners",
        purpose: "third_party_sharing.marketing",
        fields: ["last_name"],
        format: "csv",
      },
    });
    f.now = new Date(THIS_YEAR);
    const access = (
      await f.req("POST", "/v1/requests", { body: { kind: "access", claimant: { email: p.email } } })
    ).json().request;
    await f.move(access.id, { to: "fulfilled" });
    const { json, csv } = await download(p.email);
    expect(JSON.stringify(json)).toContain(p.email);
    expect(JSON.stringify(json)).toContain("marketing-partners");
    expect(csv).toContain(p.lastName);

    const correction = await f.req("POST", "/v1/requests", {
      body: {
        kind: "correction",
        claimant: { email: p.email },
        details: { corrections: { last_name: "Hopper-Corrected" } },
      },
    });
    expect((await f.move(correction.json().request.id, { to: "fulfilled" })).json().state).toBe("fulfilled");
    const read = await f.req("GET", `/v1/subjects/${p.id}?purpose=essential.service.account`);
    expect(read.json().fields.last_name.value).toBe("Hopper-Corrected");

    const deletion = await f.req("POST", "/v1/requests", {
      body: { kind: "deletion", claimant: { email: p.email } },
    });
    const erased = await f.move(deletion.json().request.id, { to: "fulfilled" });
    expect(erased.json().state).toBe("fulfilled");
    expect((await f.req("GET", `/v1/subjects/${p.id}?purpose=essential.service.account`)).statusCode).toBe(
      404,
    );
    const detail = (await f.req("GET", `/v1/requests/${deletion.json().request.id}`)).json();
    expect(detail.result.sections.length).toBeGreaterThan(0);
    // Three completions: the access package, the correction, the deletion (naming its reference).
    const done = await until("the deletion's completion notice", () => {
      const got = f.sink.messages.filter(
        (m) => m.envelope.to.includes(p.email) && /is complete/.test(subjectLine(m)),
      );
      return got.length >= 3 ? got : null;
    });
    expect(done.some((m) => textOf(m).includes(deletion.json().request.id))).toBe(true);
  });
});
