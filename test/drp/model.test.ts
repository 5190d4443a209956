import { describe, expect, it } from "vitest";
import { REQUEST_STATES } from "../../src/modules/requests/requests.ts";
import { callbackUrl, claimantOf, drpAction, kindOf } from "../../src/modules/drp/drp.ts";
import { view } from "./memory-requests.ts";
import { DRP_REASONS, DRP_STATUSES, drpTime, presentStatus } from "../../src/modules/drp/status.ts";

describe("the Exercise Status object (§3.03)", () => {
  it("lists its fields and no others; timestamps end in +00:00", () => {
    expect(presentStatus(view())).toEqual({
      request_id: "3f1c2a4e-1111-4222-8333-444455556666",
      agent_request_id: "agent-req-1",
      status: "open",
      reason: null,
      received_at: "2026-01-02T10:00:00.000+00:00",
      expected_by: "2026-01-23T07:59:59.999+00:00",
      expires_at: "2026-03-24T07:59:59.999+00:00",
    });
  });

  it("every Pledge state maps to a DRP status, and reason is one of §3.02's or null", () => {
    for (const state of REQUEST_STATES) {
      const s = presentStatus(view({ state, denialReason: state === "denied" ? "legal_hold" : null }));
      expect(DRP_STATUSES).toContain(s.status);
      expect(s.reason === null || (DRP_REASONS as readonly string[]).includes(s.reason)).toBe(true);
    }
  });

  it.each([
    ["received", null, "open", null],
    ["identity_unverified", null, "in_progress", "need_user_verification"],
    ["verified", null, "in_progress", null],
    ["extended", null, "in_progress", null],
    ["waiting_on_person", null, "in_progress", null],
    ["fulfilled", null, "fulfilled", null],
    ["partially_fulfilled", null, "fulfilled", null],
    ["denied", "no_match", "denied", "no_match"],
    ["denied", "legal_hold", "denied", "other"],
    ["revoked", null, "revoked", null],
    ["expired", null, "expired", null],
  ] as const)("%s (%s) is %s/%s", (state, denialReason, status, reason) => {
    const closed = ["fulfilled", "partially_fulfilled", "denied", "revoked", "expired"].includes(state);
    const s = presentStatus(
      view({
        state,
        denialReason,
        closedAt: closed ? "2026-01-05T00:00:00.000Z" : null,
        due: closed ? null : view().due,
      }),
    );
    expect([s.status, s.reason]).toEqual([status, reason]);
  });

  it("no agent_request_id when the agent sent none; no expected_by once closed", () => {
    const s = presentStatus(
      view({ agentRequestId: null, state: "revoked", due: null, closedAt: "2026-01-03T00:00:00Z" }),
    );
    expect(s).not.toHaveProperty("agent_request_id");
    expect(s).not.toHaveProperty("expected_by");
    expect(s.expires_at).toBe("2026-03-04T00:00:00.000+00:00");
  });

  it("an extension says so in processing_details (§3.08)", () => {
    expect(presentStatus(view({ state: "extended", extended: true })).processing_details).toMatch(/extended/);
  });

  it("drpTime parses with an offset Python 3.9 fromisoformat takes", () => {
    expect(drpTime("2026-01-02T10:00:00Z")).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
  });
});

describe("exercise claims", () => {
  it.each([
    ["sale:opt-out", "opt_out_sale"],
    ["sale:opt_out", "opt_out_sale"],
    ["deletion", "deletion"],
    ["access", "access"],
    ["access:categories", "access"],
    ["access:specific", "access"],
    ["sale:opt-in", null],
    ["sale:opt_in", null],
  ] as const)("%s becomes %s", (exercise, kind) => {
    const action = drpAction(exercise);
    expect(action).not.toBeNull();
    expect(kindOf(action!)).toBe(kind);
  });

  it("an unknown action is none", () => {
    expect(drpAction("correction")).toBeNull();
    expect(drpAction(["deletion"])).toBeNull();
  });

  it("names as OSIRAA sends them ('Last, First') and as people write them ('First Last')", () => {
    expect(claimantOf({ name: "Lovelace, Ada" })).toEqual({ firstName: "Ada", lastName: "Lovelace" });
    expect(claimantOf({ name: "Ada King Lovelace" })).toEqual({
      firstName: "Ada King",
      lastName: "Lovelace",
    });
    expect(claimantOf({ name: "Cher" })).toEqual({ firstName: "Cher" });
  });

  it("email and an OIDC address object by its parts; claims of the wrong type are ignored", () => {
    expect(
      claimantOf({
        email: " ada@example.com ",
        address: {
          street_address: "1 Main St\nApt 4",
          locality: "Springfield",
          region: "CA",
          postal_code: "90210",
          country: "US",
        },
        phone_number: 5,
      }),
    ).toEqual({
      email: "ada@example.com",
      postalAddress: {
        line1: "1 Main St",
        line2: "Apt 4",
        city: "Springfield",
        region: "CA",
        postalCode: "90210",
        country: "US",
      },
      zip: "90210",
    });
    expect(claimantOf({ address: { formatted: "1 Main St, Springfield", postal_code: "90210" } })).toEqual({
      zip: "90210",
    });
    expect(claimantOf({ email: 1, name: [], address: "x" })).toEqual({});
  });

  it("status callbacks are http(s) URLs only", () => {
    expect(callbackUrl("https://agent.example/cb")).toBe("https://agent.example/cb");
    expect(callbackUrl("http://127.0.0.1:9/cb")).toBe("http://127.0.0.1:9/cb");
    for (const bad of ["file:///etc/passwd", "javascript:alert(1)", "gopher://x", "not a url", 42])
      expect(callbackUrl(bad)).toBeUndefined();
  });
});
