/**
 * Field encryption, decryption and blind indexes through Pledge against raw node:crypto doing the
 * same work in a loop: AES-256-GCM with a random 96-bit IV and associated data (subject id and
 * field) over values of at most 64 bytes, with the data key already unwrapped (the vault's cache);
 * HMAC-SHA256 under the index key. The raw loops keep bytes as bytes; Pledge also encodes its
 * text form (base64url). Goal: Pledge ≥ 0.8× raw for each. Pledge and raw alternate in rounds;
 * each figure is the median round, the ratio the median of adjacent rounds' ratios.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  randomBytes,
  randomUUID,
} from "node:crypto";
import { pathToFileURL } from "node:url";
import { blindIndex } from "../src/crypto/blind-index.ts";
import { createSubjectCipher } from "../src/crypto/cipher.ts";
import { median, printResults, type BenchResult } from "./lib.ts";

// Short rounds, many of them: each Pledge round sits next to a raw round in time, and the ratio is
// the median of those neighbours' ratios, which a busy machine disturbs least.
const ROUNDS = 201;
const PER_ROUND = 2_000;
const VALUES = [
  "Ada",
  "Lovelace",
  "ada.lovelace@example.com",
  "+14155550132",
  "12 OBRIEN ST|APT 4B|SPRINGFIELD|IL|62704-1234|US",
  "a".repeat(64),
];

interface Pair {
  name: string;
  pledge: () => void;
  raw: () => void;
  unit: string;
}

function pairs(): Pair[] {
  const subjectId = randomUUID();
  const keyBytes = randomBytes(32);
  const dataKey = createSecretKey(keyBytes);
  const cipher = createSubjectCipher(subjectId, dataKey);
  const aad = Buffer.from(`${subjectId}\u0000email`);
  const sealed = VALUES.map((v) => cipher.encrypt("email", v));
  const rawSealed = VALUES.map((v) => {
    const iv = randomBytes(12);
    const c = createCipheriv("aes-256-gcm", keyBytes, iv);
    c.setAAD(aad);
    const body = Buffer.concat([c.update(v, "utf8"), c.final()]);
    return { iv, body, tag: c.getAuthTag() };
  });
  const indexBytes = randomBytes(32);
  const indexKey = createSecretKey(indexBytes);
  let i = 0;
  const next = (): number => (i = (i + 1) % VALUES.length);
  return [
    {
      name: "field encrypt (≤ 64 B, data key cached)",
      unit: "ops/s",
      pledge: () => void cipher.encrypt("email", VALUES[next()]!),
      raw: () => {
        const c = createCipheriv("aes-256-gcm", keyBytes, randomBytes(12));
        c.setAAD(aad);
        c.update(VALUES[next()]!, "utf8");
        c.final();
        c.getAuthTag();
      },
    },
    {
      name: "field decrypt (≤ 64 B, data key cached)",
      unit: "ops/s",
      pledge: () => void cipher.decrypt("email", sealed[next()]!),
      raw: () => {
        const s = rawSealed[next()]!;
        const d = createDecipheriv("aes-256-gcm", keyBytes, s.iv);
        d.setAAD(aad);
        d.setAuthTag(s.tag);
        d.update(s.body).toString("utf8");
        d.final();
      },
    },
    {
      name: "blind index (HMAC-SHA256)",
      unit: "ops/s",
      pledge: () => void blindIndex(indexKey, "email", VALUES[next()]!),
      raw: () => void createHmac("sha256", indexBytes).update(`email:${VALUES[next()]!}`).digest(),
    },
  ];
}

function opsPerSecond(fn: () => void): number {
  const start = process.hrtime.bigint();
  for (let k = 0; k < PER_ROUND; k += 1) fn();
  return PER_ROUND / (Number(process.hrtime.bigint() - start) / 1e9);
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const pair of pairs()) {
    for (let w = 0; w < 5; w += 1) {
      opsPerSecond(pair.pledge); // warm up: let the JIT settle both before measuring
      opsPerSecond(pair.raw);
    }
    const pledge: number[] = [];
    const raw: number[] = [];
    for (let r = 0; r < ROUNDS; r += 1) {
      // Alternate which goes first, so drift on a shared machine falls on both.
      if (r % 2 === 0) {
        pledge.push(opsPerSecond(pair.pledge));
        raw.push(opsPerSecond(pair.raw));
      } else {
        raw.push(opsPerSecond(pair.raw));
        pledge.push(opsPerSecond(pair.pledge));
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    const value = median(pledge);
    const peerValue = median(raw);
    const ratio = median(pledge.map((p, r) => p / raw[r]!));
    results.push({
      name: pair.name,
      value,
      unit: pair.unit,
      peer: "raw node:crypto loop",
      peerValue,
      ratio,
      goal: "≥ 0.8× raw",
      pass: ratio >= 0.8,
    });
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) printResults(await run());
