import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseVerifyKey } from "../../src/modules/drp/drp.ts";
import {
  ed25519Key,
  instant,
  openEnvelope,
  openSigned,
  signatureValid,
  type Expected,
} from "../../src/modules/drp/envelope.ts";
import { exerciseClaims, makeAgent, pyJson, pyTime } from "./agent.ts";

interface Vector {
  name: string;
  public_key: string;
  message: string;
  signature: string;
}
const { vectors } = JSON.parse(readFileSync(new URL("./rfc8032-vectors.json", import.meta.url), "utf8")) as {
  vectors: Vector[];
};

const NOW = new Date("2026-12-06T10:00:00.000Z");
const agent = await makeAgent("TEST_AGENT_1");
const key = ed25519Key(parseVerifyKey(agent.verifyKey)!);
const expected: Expected = { agentId: agent.id, businessId: "pledge-test-001", now: NOW, skewMs: 60_000 };
const claims = (extra: Record<string, unknown> = {}) =>
  exerciseClaims(agent.id, "pledge-test-001", new Date(NOW.getTime() - 1000), extra);

describe("RFC 8032 §7.1 test vectors", () => {
  it.each(vectors)("$name verifies under its public key, and not once a bit of it flips", (v) => {
    const k = ed25519Key(Buffer.from(v.public_key, "hex"));
    const message = Buffer.from(v.message, "hex");
    const signature = Buffer.from(v.signature, "hex");
    expect(signatureValid(k, message, signature)).toBe(true);
    const flipped = Buffer.from(signature);
    flipped[0]! ^= 1;
    expect(signatureValid(k, message, flipped)).toBe(false);
  });

  it("TEST 2 as an envelope passes E3 and stops at E4 (its message, 0x72, is no JSON)", () => {
    const v = vectors[1]!;
    const body = Buffer.concat([Buffer.from(v.signature, "hex"), Buffer.from(v.message, "hex")]);
    const opened = openSigned(body.toString("base64"), ed25519Key(Buffer.from(v.public_key, "hex")));
    expect(opened).toMatchObject({ ok: false, failure: "malformed_json" });
  });

  it("TEST 1 as an envelope is a signature with nothing signed: E2", () => {
    const v = vectors[0]!;
    const opened = openSigned(Buffer.from(v.signature, "hex").toString("base64"), key);
    expect(opened).toMatchObject({ ok: false, failure: "too_short" });
  });
});

describe("opening an envelope, rule by rule (§3.07)", () => {
  it("a libsodium-signed envelope of json.dumps bytes opens, with the claims as sent", () => {
    const c = claims();
    const opened = openEnvelope(agent.sign(c), key, expected);
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    expect(opened.claims).toEqual(c);
    expect(opened.expiresAt.toISOString()).toBe("2026-12-06T10:14:59.000Z");
    expect(opened.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it("the bytes are verified as sent: json.dumps spacing is not JSON.stringify's", () => {
    const c = claims();
    expect(pyJson(c)).not.toBe(JSON.stringify(c));
    const compact = agent.signBytes(new TextEncoder().encode(JSON.stringify(c)));
    expect(openEnvelope(compact, key, expected).ok).toBe(true);
  });

  it("E1: a body that is not strict standard base64 is refused", () => {
    const body = agent.sign(claims());
    for (const bad of [
      `${body}!`,
      body.replaceAll("+", "-").replaceAll("/", "_") + "-",
      body.slice(1),
      "====",
      "abc",
    ]) {
      expect(openEnvelope(bad, key, expected)).toMatchObject({ ok: false, failure: "malformed_base64" });
    }
    expect(openEnvelope("", key, expected)).toMatchObject({ ok: false, failure: "too_short" });
    expect(openEnvelope(`  ${body}\n`, key, expected).ok).toBe(true);
  });

  it("E3: another key's signature, or one changed byte of the message, is refused", async () => {
    const other = await makeAgent(agent.id);
    expect(openEnvelope(other.sign(claims()), key, expected)).toMatchObject({
      ok: false,
      failure: "bad_signature",
    });
    const raw = Buffer.from(agent.sign(claims()), "base64");
    raw[70]! ^= 1;
    expect(openEnvelope(raw.toString("base64"), key, expected)).toMatchObject({
      ok: false,
      failure: "bad_signature",
    });
  });

  it("E4: signed bytes that are not a JSON object are refused", () => {
    for (const text of ["[1, 2]", '"x"', '{"a": ', "null"]) {
      const body = agent.signBytes(new TextEncoder().encode(text));
      expect(openEnvelope(body, key, expected)).toMatchObject({ ok: false, failure: "malformed_json" });
    }
    const latin1 = agent.signBytes(Uint8Array.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]));
    expect(openEnvelope(latin1, key, expected)).toMatchObject({ ok: false, failure: "malformed_json" });
  });

  it("E5: agent-id must be the token's agent", () => {
    const body = agent.sign(claims({ "agent-id": "SOMEONE_ELSE" }));
    expect(openEnvelope(body, key, expected)).toMatchObject({ ok: false, failure: "wrong_agent" });
  });

  it("E6: business-id must be ours", () => {
    const body = agent.sign(claims({ "business-id": "another-business" }));
    expect(openEnvelope(body, key, expected)).toMatchObject({ ok: false, failure: "wrong_business" });
  });

  it("E7: issued-at may be ahead of our clock by the skew, no more", () => {
    const at = (ms: number) => pyTime(new Date(NOW.getTime() + ms));
    expect(openEnvelope(agent.sign(claims({ "issued-at": at(59_000) })), key, expected).ok).toBe(true);
    expect(openEnvelope(agent.sign(claims({ "issued-at": at(61_000) })), key, expected)).toMatchObject({
      ok: false,
      failure: "issued_in_future",
    });
    expect(openEnvelope(agent.sign(claims({ "issued-at": "yesterday" })), key, expected)).toMatchObject({
      ok: false,
      failure: "issued_in_future",
    });
  });

  it("E8: now must be before expires-at", () => {
    const body = agent.sign(claims({ "expires-at": pyTime(NOW) }));
    expect(openEnvelope(body, key, expected)).toMatchObject({ ok: false, failure: "expired" });
    expect(openEnvelope(agent.sign(claims({ "expires-at": undefined })), key, expected)).toMatchObject({
      ok: false,
      failure: "expired",
    });
  });

  it("E9: drp.version must be 1.0", () => {
    const body = agent.sign(claims({ "drp.version": "0.9" }));
    expect(openEnvelope(body, key, expected)).toMatchObject({ ok: false, failure: "wrong_version" });
  });

  it("the rules run in order: a wrong agent and a wrong business is reported as the agent (E5 before E6)", () => {
    const body = agent.sign(claims({ "agent-id": "X", "business-id": "Y", "drp.version": "2" }));
    expect(openEnvelope(body, key, expected)).toMatchObject({ failure: "wrong_agent" });
  });

  it("the same message has the same digest, whoever base64-encodes it", () => {
    const body = agent.sign(claims());
    const a = openEnvelope(body, key, expected);
    const b = openEnvelope(` ${body} `, key, expected);
    expect(a.ok && b.ok && a.digest === b.digest).toBe(true);
  });
});

describe("timestamps as agents write them", () => {
  it.each([
    ["2026-12-06T10:00:00.123456+00:00", "2026-12-06T10:00:00.123Z"],
    ["2026-12-06T10:00:00Z", "2026-12-06T10:00:00.000Z"],
    ["2026-12-06T12:00:00+02:00", "2026-12-06T10:00:00.000Z"],
    ["2026-12-06T12:00:00+0200", "2026-12-06T10:00:00.000Z"],
    ["2026-12-06T10:00:00", "2026-12-06T10:00:00.000Z"],
  ])("%s is %s", (text, iso) => {
    expect(instant(text)?.toISOString()).toBe(iso);
  });

  it.each(["", "2026-12-06", "06/12/2026 10:00", "2026-13-06T10:00:00Z"])("%j is no instant", (text) => {
    expect(instant(text)).toBeNull();
  });
});

describe("verify keys from the directory", () => {
  it("base64 and 64 hex digits give the same 32 bytes; anything else is refused", () => {
    expect(parseVerifyKey(agent.verifyKey)).toEqual(parseVerifyKey(agent.verifyKeyHex));
    expect(parseVerifyKey(agent.verifyKey)?.length).toBe(32);
    for (const bad of [
      "",
      "abc",
      agent.verifyKeyHex.slice(2),
      Buffer.alloc(31).toString("base64"),
      `${agent.verifyKey}x`,
    ])
      expect(parseVerifyKey(bad)).toBeNull();
  });
});
