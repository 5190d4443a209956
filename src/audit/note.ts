import { createHash, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { headsRoot, headsSize, type HeadEntry } from "./merkle.ts";

/**
 * Checkpoints as signed notes, in the shape of C2SP tlog-checkpoint and signed-note
 * (https://c2sp.org/tlog-checkpoint, https://c2sp.org/signed-note), so that anyone can keep one
 * and check it later with nothing but the public key:
 *
 *   <origin>                      a schema-less URL naming the log, e.g. privacy.example.com/audit
 *   <tree size>                   the number of rows in the audit log (the seq of the last row)
 *   <base64 hash>                 that row's chain hash (32 bytes, standard base64)
 *   chain <n> <seq> <base64 hash> one extension line per chain, when the log has several
 *                                 (a blank line)
 *   — <key name> <base64 sig>     em dash, key name (= origin), base64 of key hash ‖ signature
 *
 * The signature is Ed25519 over the three body lines, each ending in "\n". The key hash is the
 * first 4 bytes of SHA-256(key name ‖ "\n" ‖ 0x01 ‖ the 32-byte public key), as signed-note
 * defines it for Ed25519; the verifier key is published as `<name>+<hex key hash>+<base64(0x01 ‖
 * public key)>` (a "vkey").
 *
 * A log of several chains (chains.ts) is signed with one extension line per chain naming its head,
 * the tree size is the sum of their seqs, and the hash is the Merkle root of the heads
 * (merkle.ts), so the note alone says which row of each chain must still hold which hash.
 */
export interface CheckpointNote {
  readonly origin: string;
  /** Rows the log held when it was signed: the seq of the last row. */
  readonly size: number;
  /** Hex SHA-256 chain hash of row `size`; with several chains, the Merkle root of `heads`. */
  readonly hash: string;
  /** Every chain's head, when the log has more than one chain. */
  readonly heads?: readonly HeadEntry[] | undefined;
}

const ED25519 = 0x01;
const DASH = "\u2014";

/** The origin of a deployment's checkpoints: its public URL without the scheme, plus `/audit`. */
export function checkpointOrigin(publicUrl: string): string {
  const url = new URL(publicUrl);
  return `${url.host}${url.pathname.replace(/\/+$/, "")}/audit`;
}

/** The signed body: origin, size and base64 hash, each line ending in "\n". */
export function noteBody(note: CheckpointNote): string {
  const heads = (note.heads ?? []).map((h) => `chain ${h.chain} ${h.seq} ${base64(h.hash)}\n`).join("");
  return `${note.origin}\n${note.size}\n${base64(note.hash)}\n${heads}`;
}

function base64(hex: string): string {
  return Buffer.from(hex, "hex").toString("base64");
}

/** The whole signed note, signed by `privateKey` under the key name `note.origin`. */
export function signNote(note: CheckpointNote, privateKey: KeyObject): string {
  const body = noteBody(note);
  const publicKey = createPublicKey(privateKey);
  const signature = sign(null, Buffer.from(body, "utf8"), privateKey);
  const blob = Buffer.concat([keyHash(note.origin, publicKey), signature]).toString("base64");
  return `${body}\n${DASH} ${note.origin} ${blob}\n`;
}

/** What a signed note file says, before its signature is checked. */
export interface ParsedNote extends CheckpointNote {
  readonly body: string;
  readonly signatures: readonly { readonly name: string; readonly blob: Buffer }[];
}

/** Why a text is not a checkpoint; the message names the part, never quotes the text. */
export class NoteError extends Error {
  override readonly name = "NoteError";
}

/** Reads a signed checkpoint note. Throws NoteError naming what is wrong with its shape. */
export function parseNote(text: string): ParsedNote {
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) throw new NoteError("it holds control characters");
  const split = text.lastIndexOf("\n\n");
  if (split < 0) throw new NoteError("no blank line between the checkpoint and its signatures");
  const body = text.slice(0, split + 1);
  const [origin, size, hash64, ...extensions] = body.split("\n");
  if (origin === undefined || origin === "" || /\s|\+/.test(origin))
    throw new NoteError("line 1 is not an origin (a name without spaces or +)");
  if (size === undefined || !/^(0|[1-9][0-9]{0,15})$/.test(size))
    throw new NoteError("line 2 is not a tree size (a decimal number)");
  const raw = Buffer.from(hash64 ?? "", "base64");
  if (raw.length !== 32 || raw.toString("base64") !== hash64)
    throw new NoteError("line 3 is not a base64 SHA-256 hash");
  const heads = extensions.filter((line) => line !== "").map(headLine);
  if (heads.length === 1) throw new NoteError("a checkpoint of one chain names no chain heads");
  if (heads.length > 1) {
    heads.forEach((h, i) => {
      if (h.chain !== i + 1) throw new NoteError(`chain line ${i + 1} names chain ${h.chain}`);
    });
    if (headsSize(heads) !== Number(size))
      throw new NoteError("the tree size is not the sum of the chains' heads");
    if (headsRoot(heads) !== raw.toString("hex"))
      throw new NoteError("the hash is not the Merkle root of the chains' heads");
  }
  const signatures = text
    .slice(split + 2)
    .split("\n")
    .filter((line) => line !== "")
    .map((line, i) => {
      const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
      if (m === null) throw new NoteError(`signature line ${i + 1} is not "— <key name> <base64>"`);
      return { name: m[1]!, blob: Buffer.from(m[2]!, "base64") };
    });
  if (signatures.length === 0) throw new NoteError("the checkpoint has no signature line");
  return {
    origin,
    size: Number(size),
    hash: raw.toString("hex"),
    ...(heads.length > 1 ? { heads } : {}),
    body,
    signatures,
  };
}

function headLine(line: string, i: number): HeadEntry {
  const m = /^chain ([1-9][0-9]{0,4}) (0|[1-9][0-9]{0,15}) ([A-Za-z0-9+/=]{44})$/.exec(line);
  const hash = m === null ? null : Buffer.from(m[3]!, "base64");
  if (m === null || hash === null || hash.length !== 32)
    throw new NoteError(`line ${i + 4} is not a chain head (chain <n> <seq> <base64 hash>)`);
  return { chain: Number(m[1]), seq: Number(m[2]), hash: hash.toString("hex") };
}

/**
 * True when one of the note's signature lines is a valid Ed25519 signature by `publicKey` under
 * its key name: the key hash of (name, key) matches and the signature verifies over the body.
 */
export function noteSignedBy(note: ParsedNote, publicKey: KeyObject): boolean {
  return note.signatures.some(({ name, blob }) => {
    if (blob.length !== 4 + 64 || !blob.subarray(0, 4).equals(keyHash(name, publicKey))) return false;
    try {
      return verify(null, Buffer.from(note.body, "utf8"), publicKey, blob.subarray(4));
    } catch {
      return false;
    }
  });
}

/** The verifier key line for `publicKey` under `name`: `<name>+<hex key hash>+<base64 key>`. */
export function vkeyOf(name: string, publicKey: KeyObject): string {
  const key = Buffer.concat([Buffer.of(ED25519), rawPublicKey(publicKey)]).toString("base64");
  return `${name}+${keyHash(name, publicKey).toString("hex")}+${key}`;
}

/** The Ed25519 public key of a vkey line; throws NoteError if the line is not one, or its hash is wrong. */
export function publicKeyOfVkey(vkey: string): KeyObject {
  const m = /^([^\s+]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey.trim());
  const raw = m === null ? null : Buffer.from(m[3]!, "base64");
  if (m === null || raw === null || raw.length !== 33 || raw[0] !== ED25519)
    throw new NoteError("not an Ed25519 verifier key (<name>+<key hash>+<base64 key>)");
  const publicKey = createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: raw.subarray(1).toString("base64url") },
    format: "jwk",
  });
  if (keyHash(m[1]!, publicKey).toString("hex") !== m[2])
    throw new NoteError("the verifier key's hash does not match its name and key");
  return publicKey;
}

function keyHash(name: string, publicKey: KeyObject): Buffer {
  return createHash("sha256")
    .update(`${name}\n`, "utf8")
    .update(Buffer.of(ED25519))
    .update(rawPublicKey(publicKey))
    .digest()
    .subarray(0, 4);
}

function rawPublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: "jwk" });
  if (jwk.crv !== "Ed25519" || typeof jwk.x !== "string") throw new Error("not an Ed25519 public key");
  return Buffer.from(jwk.x, "base64url");
}
