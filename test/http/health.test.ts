import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../harness/app.ts";

describe("health, readiness and the OpenAPI document", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  it("GET /healthz answers while the process is up", async () => {
    const res = await t.app.inject({ method: "GET", url: "/healthz" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "ok" });
  });

  it("GET /readyz names the store and the policy in force", async () => {
    const res = await t.app.inject({ method: "GET", url: "/readyz" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: "ready",
      policy: { company: "partstore", version: "2009-09-27" },
    });
  });

  it("GET /openapi.json is OpenAPI 3.1 and lists the decision endpoint with its schemas", async () => {
    const res = await t.app.inject({ method: "GET", url: "/openapi.json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\.1/);
    const op = doc.paths["/v1/decisions"].post;
    expect(op.requestBody.content["application/json"].schema.properties.use.required).toEqual([
      "action",
      "purpose",
      "fields",
    ]);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(["200", "400", "401", "403"]));
    expect(doc.paths["/v1/staff"].post).toBeDefined();
    expect(doc.components.securitySchemes.apiKey.scheme).toBe("bearer");
  });

  it("GET /docs serves the API documentation page", async () => {
    const res = await t.app.inject({ method: "GET", url: "/docs/" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/text\/html/);
  });

  it("an unknown route is a 404 problem", async () => {
    const res = await t.app.inject({ method: "GET", url: "/v1/nothing-here" });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe("PLEDGE_NOT_FOUND");
  });
});
