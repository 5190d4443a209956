import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/http/logger.ts";
import { buildTestApp, type TestApp } from "../harness/app.ts";

/**
 * Runs every path that takes or gives personal data with the log at its most talkative level,
 * then searches everything logged for each personal value the scenario used: none may appear.
 */
const PERSON = {
  first: "Wilhelmina",
  last: "Quarterbridge",
  email: "wilhelmina.quarterbridge@example.org",
  phone: "+1 415 555 0199",
  phoneDigits: "4155550199",
  street: "742 Evergreen Terrace",
  zip: "62704",
  birth: "1983-07-14",
  password: "saffron lighthouse gravel 77",
  card: "4111 1111 1111 1111",
  badEmail: "wilhelmina-at-nowhere",
  contact: "Bartholomew Quince",
};

let lines = "";
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    lines += chunk.toString();
    done();
  },
});

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await buildTestApp({ company: "zones", logger: createLogger("trace", sink) });
  admin = await t.apiKey("admin");
});
afterAll(() => t.close());

async function call(method: "GET" | "POST" | "PATCH" | "DELETE", url: string, body?: unknown, headers = {}) {
  return t.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${admin}`, ...headers },
    ...(body === undefined ? {} : { payload: body as object }),
  });
}

describe("logs", () => {
  it("hold no personal data after a full round of the API at log level trace", async () => {
    const purpose = "essential.service.account";
    const created = await call("POST", "/v1/subjects", {
      status: "customer",
      purpose,
      collectionPoint: "web.signup",
      birthDate: PERSON.birth,
      jurisdiction: "US",
      fields: { first_name: PERSON.first, last_name: PERSON.last, email: PERSON.email, phone: PERSON.phone },
      addresses: [
        {
          kind: "postal",
          line1: PERSON.street,
          city: "Springfield",
          region: "IL",
          postalCode: PERSON.zip,
          country: "US",
        },
      ],
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = (created.json() as { id: string }).id;
    const etag = String(created.headers.etag);

    const responses = [
      await call("GET", `/v1/subjects/${id}?purpose=${purpose}`),
      await call("POST", "/v1/subjects/search", { purpose, email: PERSON.email }),
      await call(
        "PATCH",
        `/v1/subjects/${id}`,
        { purpose, collectionPoint: "web.account", fields: { last_name: "Quill" } },
        { "if-match": '"999"' },
      ),
      await call(
        "PATCH",
        `/v1/subjects/${id}`,
        { purpose, collectionPoint: "web.account", fields: { email: PERSON.badEmail } },
        { "if-match": etag },
      ),
      await call("POST", "/v1/subjects", {
        status: "customer",
        purpose,
        collectionPoint: "x",
        fields: { last_name: PERSON.card },
      }),
      await call("POST", `/v1/subjects/${id}/contacts`, {
        purpose,
        collectionPoint: "web.account",
        contact: { name: PERSON.contact },
      }),
      await call("POST", "/v1/suppression", {
        channel: "email",
        address: PERSON.email,
        reason: "unsubscribe",
        source: "web",
      }),
      await call("POST", "/v1/suppression/check", { channel: "email", address: PERSON.email }),
      await call("POST", "/v1/account/signup", {
        email: `x.${PERSON.email}`,
        password: PERSON.password,
        firstName: PERSON.first,
        lastName: PERSON.last,
        birthDate: PERSON.birth,
      }),
      await call("POST", "/v1/account/signin", {
        email: `x.${PERSON.email}`,
        password: `${PERSON.password}!`,
      }),
      await call("GET", `/v1/subjects/${id}/export?purpose=${purpose}`),
      await call("DELETE", `/v1/subjects/${id}`),
      await call("GET", `/v1/subjects/${id}?purpose=${purpose}`),
    ];
    // The scenario did reach the paths it means to exercise (refusals included).
    expect(responses.map((r) => r.statusCode)).toEqual([
      200, 200, 412, 400, 400, 201, 201, 200, 201, 401, 200, 200, 404,
    ]);

    expect(lines.length).toBeGreaterThan(1000); // the log did record the requests
    for (const [name, value] of Object.entries(PERSON)) {
      expect(lines.includes(value), `the log contains the ${name}`).toBe(false);
    }
    expect(lines.toLowerCase()).not.toContain(PERSON.email.toLowerCase());
  });
});
