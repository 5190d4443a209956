import { verify as verifySignature, type KeyObject } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../store/database.ts";
import type { AuditRow } from "./audit.events.ts";
import { readHeads, type ChainHead } from "./append.ts";
import { readCheckpointPage, readRowPage, readTail, type StoredCheckpoint } from "./audit.repository.ts";
import { ChainChecker, type ChainWindow } from "./chain.ts";
import { checkpointMessage } from "./checkpoint.ts";
import type { HeadEntry } from "./merkle.ts";
import { NoteError, parseNote } from "./note.ts";
import { rowHash } from "./hash.ts";
import type { AuditProblem, VerifyReport } from "./verify.report.ts";

export interface VerifyOptions {
  /** Rows per keyset page (default 10,000). Memory holds three pages per chain at most. */
  readonly pageSize?: number;
  /** Chains checked at once (default 4). */
  readonly parallel?: number;
}

/**
 * Checks the audit log up to its heads as they stand when verify starts (rows appended meanwhile
 * are left for the next run). Each chain (chains.ts) is checked on its own, several at once:
 * every row's hash, every link, seq numbering, the hashes signed checkpoints name for its rows,
 * and its tail against its head row and the latest checkpoint. Every signed checkpoint's
 * signature is checked with `publicKey`, and, for a log of several chains, that the root it
 * signed is the Merkle root of the heads it names. With `publicKey` null, every checkpoint is
 * reported as `bad_signature`, since none can be trusted. With several chains, each problem names
 * its chain.
 */
export async function verifyAudit(
  db: Kysely<Database>,
  publicKey: KeyObject | null,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const pageSize = options.pageSize ?? 10_000;
  const starts = await readHeads(db);
  const signed = await readSignedHeads(db, publicKey, pageSize);
  const results = await inParallel(starts, options.parallel ?? 4, (start) =>
    verifyChain(db, start, signed.expected.get(start.chain) ?? new Map(), pageSize),
  );
  const several = starts.length > 1;
  const problems: AuditProblem[] = [...signed.problems];
  results.forEach((r, i) => {
    const chain = starts[i]!.chain;
    for (const p of r.problems) problems.push(several ? { ...p, chain } : p);
  });
  problems.sort((a, b) => (a.chain ?? 0) - (b.chain ?? 0) || a.seq - b.seq);
  const checked = results.reduce((sum, r) => sum + r.checked, 0);
  return { ok: problems.length === 0, checked, problems };
}

/** One chain checked: its rows, the hashes checkpoints signed for them, and its tail. */
async function verifyChain(
  db: Kysely<Database>,
  start: ChainHead,
  expected: ReadonlyMap<number, string>,
  pageSize: number,
): Promise<{ checked: number; problems: AuditProblem[] }> {
  const chain = new ChainChecker();
  const problems: AuditProblem[] = [];
  let checked = 0;
  let last: AuditRow | undefined;

  let prev: AuditRow[] = [];
  let cur = await readRowPage(db, start.anchor, 0, start.seq, pageSize);
  while (cur.length > 0) {
    const tailSeq = cur[cur.length - 1]!.seq;
    // The next page is read while this one is hashed: on a server, the two overlap.
    const reading =
      cur.length < pageSize ? null : readRowPage(db, start.anchor, tailSeq, start.seq, pageSize);
    if (reading !== null) await new Promise(setImmediate); // lets the query go out first
    const hashOk = cur.map((row) => rowHash(row.prevHash, row) === row.hash);
    const next = reading === null ? [] : await reading;
    const win = windowOver([prev, cur, next]);
    for (let i = 0; i < cur.length; i++) {
      const row = cur[i]!;
      chain.check(row, hashOk[i]!, win);
      const signedHash = expected.size === 0 ? undefined : expected.get(row.seq);
      if (signedHash !== undefined && signedHash !== row.hash) {
        problems.push({
          seq: row.seq,
          kind: "checkpoint_mismatch",
          detail: `signed hash ${signedHash.slice(0, 12)}…, row has ${row.hash.slice(0, 12)}…`,
        });
      }
      checked++;
      last = row;
    }
    [prev, cur] = [cur, next];
  }
  problems.push(...chain.problems);

  const lastSeq = last?.seq ?? 0;
  if (lastSeq < start.seq) {
    problems.push({
      seq: lastSeq + 1,
      kind: "truncated",
      detail: `the head row records ${start.seq} rows, the log ends at ${lastSeq}`,
    });
  } else if (last !== undefined && last.hash !== start.hash && !problems.some((p) => p.seq === last.seq)) {
    problems.push({ seq: last.seq, kind: "edited", detail: "its hash is not the one the head row records" });
  }
  const tail = await readTail(db, start.anchor, 100);
  for (const seq of tail.beyondHead) {
    problems.push({ seq, kind: "inserted", detail: `it lies beyond the head row (seq ${tail.head.seq})` });
  }
  let lastSigned: number | null = null;
  for (const seq of expected.keys()) if (lastSigned === null || seq > lastSigned) lastSigned = seq;
  if (lastSigned !== null && lastSigned > tail.maxSeq && !problems.some((p) => p.kind === "truncated")) {
    problems.push({
      seq: tail.maxSeq + 1,
      kind: "truncated",
      detail: `a checkpoint was signed at seq ${lastSigned}, the log ends at ${tail.maxSeq}`,
    });
  }
  return { checked, problems };
}

/** Runs `work` over `items`, at most `width` at a time; results in the order of `items`. */
async function inParallel<T, R>(
  items: readonly T[],
  width: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, items.length)) }, lane));
  return results;
}

/** The window's lookups, built only when a break needs them (an intact chain never does). */
function windowOver(pages: AuditRow[][]): ChainWindow {
  let maps: { byHash: Map<string, number>; byPrev: Map<string, number> } | undefined;
  const build = () => {
    if (maps !== undefined) return maps;
    const byHash = new Map<string, number>();
    const byPrev = new Map<string, number>();
    for (const page of pages) {
      for (const row of page) {
        byHash.set(row.hash, row.seq);
        if (!byPrev.has(row.prevHash)) byPrev.set(row.prevHash, row.seq);
      }
    }
    return (maps = { byHash, byPrev });
  };
  return { seqOfHash: (h) => build().byHash.get(h), seqOfSuccessor: (h) => build().byPrev.get(h) };
}

/**
 * Every signed checkpoint, checked: its signature, and that its note agrees with the row it is
 * stored in. Returns the hash each checkpoint signed for each chain's rows (a checkpoint of one
 * chain, or one made before notes, names the head of chain 1).
 */
async function readSignedHeads(
  db: Kysely<Database>,
  publicKey: KeyObject | null,
  pageSize: number,
): Promise<{ problems: AuditProblem[]; expected: Map<number, Map<number, string>> }> {
  const problems: AuditProblem[] = [];
  const expected = new Map<number, Map<number, string>>();
  for (let after = 0, page: StoredCheckpoint[] = []; ; after = page[page.length - 1]!.seq) {
    page = await readCheckpointPage(db, after, pageSize);
    for (const cp of page) {
      const message = checkpointMessage(cp.seq, cp.hash, cp.at);
      if (publicKey === null || !signatureHolds(message, publicKey, cp.signature)) {
        const why = publicKey === null ? "no public key was given" : `it does not verify (key ${cp.keyId})`;
        problems.push({ seq: cp.seq, kind: "bad_signature", detail: `checkpoint signature: ${why}` });
      }
      for (const head of signedHeads(cp, problems)) {
        let seqs = expected.get(head.chain);
        if (seqs === undefined) expected.set(head.chain, (seqs = new Map()));
        seqs.set(head.seq, head.hash);
      }
    }
    if (page.length < pageSize) return { problems, expected };
  }
}

/** The chain heads a checkpoint signed; a note that disagrees with its row is a problem. */
function signedHeads(cp: StoredCheckpoint, problems: AuditProblem[]): readonly HeadEntry[] {
  if (cp.note === null) return [{ chain: 1, seq: cp.seq, hash: cp.hash }];
  let note;
  try {
    note = parseNote(cp.note);
  } catch (error) {
    if (!(error instanceof NoteError)) throw error;
    problems.push({
      seq: cp.seq,
      kind: "checkpoint_mismatch",
      detail: `its note is not a checkpoint: ${error.message}`,
    });
    return [];
  }
  if (note.size !== cp.seq || note.hash !== cp.hash) {
    problems.push({
      seq: cp.seq,
      kind: "checkpoint_mismatch",
      detail: "its note names another size or hash",
    });
    return [];
  }
  return note.heads ?? [{ chain: 1, seq: cp.seq, hash: cp.hash }];
}

function signatureHolds(message: Buffer, publicKey: KeyObject, signature: string): boolean {
  try {
    return verifySignature(null, message, publicKey, Buffer.from(signature, "base64"));
  } catch {
    return false; // a malformed signature is a bad one
  }
}
