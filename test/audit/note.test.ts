import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  checkpointOrigin,
  NoteError,
  noteSignedBy,
  parseNote,
  publicKeyOfVkey,
  signNote,
  vkeyOf,
  type ParsedNote,
} from "../../src/audit/note.ts";

const HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const note = { origin: "privacy.example.test/audit", size: 42, hash: HASH };

describe("checkpoints as signed notes", () => {
  it("reads back what it signs: origin, tree size, base64 hash, blank line, one em-dash signature line", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const text = signNote(note, privateKey);
    const lines = text.split("\n");
    expect(lines.slice(0, 4)).toEqual([
      "privacy.example.test/audit",
      "42",
      Buffer.from(HASH, "hex").toString("base64"),
      "",
    ]);
    expect(lines[4]).toMatch(/^\u2014 privacy\.example\.test\/audit [A-Za-z0-9+/]{91}=$/);
    expect(lines.slice(5)).toEqual([""]);
    const parsed = parseNote(text);
    expect(parsed).toMatchObject(note);
    expect(noteSignedBy(parsed, publicKey)).toBe(true);
  });

  it("a changed size or hash, or another key, does not verify", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const text = signNote(note, privateKey);
    expect(noteSignedBy(parseNote(text.replace("\n42\n", "\n41\n")), publicKey)).toBe(false);
    const otherHash = Buffer.from(HASH.replace(/^9f/, "00"), "hex").toString("base64");
    const changed = text.replace(Buffer.from(HASH, "hex").toString("base64"), otherHash);
    expect(noteSignedBy(parseNote(changed), publicKey)).toBe(false);
    expect(noteSignedBy(parseNote(text), generateKeyPairSync("ed25519").publicKey)).toBe(false);
  });

  it("the verifier key is <name>+<key hash>+<base64 key> and reads back as the same key", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const vkey = vkeyOf(note.origin, publicKey);
    expect(vkey).toMatch(/^privacy\.example\.test\/audit\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
    expect(noteSignedBy(parseNote(signNote(note, privateKey)), publicKeyOfVkey(vkey))).toBe(true);
    expect(() => publicKeyOfVkey(vkey.replace(/\+[0-9a-f]{8}\+/, "+00000000+"))).toThrow(NoteError);
    expect(() => publicKeyOfVkey("not a key")).toThrow(NoteError);
  });

  it("agrees with Go's golang.org/x/mod/sumdb/note on its published example (key hash, vkey, signature)", () => {
    const vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const key = publicKeyOfVkey(vkey);
    expect(vkeyOf("PeterNeumann", key)).toBe(vkey);
    const example: ParsedNote = {
      origin: "",
      size: 0,
      hash: "",
      body: "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n",
      signatures: [
        {
          name: "PeterNeumann",
          blob: Buffer.from(
            "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
            "base64",
          ),
        },
      ],
    };
    expect(noteSignedBy(example, key)).toBe(true);
    expect(noteSignedBy({ ...example, body: example.body.replace("problem,", "problem;") }, key)).toBe(false);
  });

  it.each([
    ["", /no blank line/],
    ["origin/x\n42\nAAAA\n\n\u2014 origin/x AAAA\n", /line 3/],
    ["has space\n42\n" + Buffer.alloc(32).toString("base64") + "\n\n\u2014 x AAAA\n", /line 1/],
    ["o/x\n-1\n" + Buffer.alloc(32).toString("base64") + "\n\n\u2014 x AAAA\n", /line 2/],
    ["o/x\n1\n" + Buffer.alloc(32).toString("base64") + "\n\n", /no signature line/],
    ["o/x\n1\n" + Buffer.alloc(32).toString("base64") + "\n\n- o/x AAAA\n", /signature line 1/],
    ["o/x\r\n1\n" + Buffer.alloc(32).toString("base64") + "\n\n\u2014 o/x AAAA\n", /control characters/],
  ])("refuses a text that is not a checkpoint, saying which part: %j", (text, why) => {
    expect(() => parseNote(text)).toThrow(why);
  });

  it("the origin is the public URL without its scheme, then /audit", () => {
    expect(checkpointOrigin("https://privacy.example.test")).toBe("privacy.example.test/audit");
    expect(checkpointOrigin("http://localhost:4000/")).toBe("localhost:4000/audit");
    expect(checkpointOrigin("https://example.test/pledge/")).toBe("example.test/pledge/audit");
  });
});
