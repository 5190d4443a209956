import { verify as verifySignature, type KeyObject } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../store/database.ts";
import type { AuditRow } from "./audit.events.ts";
import { readCheckpointPage, readHead, readRowPage, readTail } from "./audit.repository.ts";
import { ChainChecker, type ChainWindow } from "./chain.ts";
import { checkpointMessage, type Checkpoint } from "./checkpoint.ts";
import { rowHash } from "./hash.ts";
import type { AuditProblem, VerifyReport } from "./verify.report.ts";

export interface VerifyOptions {
  /** Rows per keyset page (default 10,000). Memory holds three pages at most. */
  readonly pageSize?: number;
}

/**
 * Checks the audit log up to the head as it stands when verify starts (rows appended meanwhile
 * are left for the next run): every row's hash, every chain link, seq numbering, every signed
 * checkpoint (signature with `publicKey`, and hash against the row), and the tail against the
 * head row and the latest checkpoint. Streams the log page by page. With `publicKey` null, every
 * checkpoint is reported as `bad_signature`, since none can be trusted.
 */
export async function verifyAudit(
  db: Kysely<Database>,
  publicKey: KeyObject | null,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const pageSize = options.pageSize ?? 10_000;
  const start = await readHead(db);
  const chain = new ChainChecker();
  const checkpoints = new CheckpointCursor(db, publicKey, pageSize);
  let checked = 0;
  let last: AuditRow | undefined;

  let prev: AuditRow[] = [];
  let cur = await readRowPage(db, 0, start.seq, pageSize);
  while (cur.length > 0) {
    const tailSeq = cur[cur.length - 1]!.seq;
    // The next page is read while this one is hashed: on a server, the two overlap.
    const reading = cur.length < pageSize ? null : readRowPage(db, tailSeq, start.seq, pageSize);
    if (reading !== null) await new Promise(setImmediate); // lets the query go out first
    const hashOk = cur.map((row) => rowHash(row.prevHash, row) === row.hash);
    const next = reading === null ? [] : await reading;
    const win = windowOver([prev, cur, next]);
    for (let i = 0; i < cur.length; i++) {
      const row = cur[i]!;
      chain.check(row, hashOk[i]!, win);
      if (checkpoints.due(row.seq)) await checkpoints.visit(row);
      checked++;
      last = row;
    }
    [prev, cur] = [cur, next];
  }
  const problems: AuditProblem[] = [...chain.problems, ...(await checkpoints.rest())];

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
  const tail = await readTail(db, 100);
  for (const seq of tail.beyondHead) {
    problems.push({ seq, kind: "inserted", detail: `it lies beyond the head row (seq ${tail.head.seq})` });
  }
  if (
    tail.lastCheckpointSeq !== null &&
    tail.lastCheckpointSeq > tail.maxSeq &&
    !problems.some((p) => p.kind === "truncated")
  ) {
    problems.push({
      seq: tail.maxSeq + 1,
      kind: "truncated",
      detail: `a checkpoint was signed at seq ${tail.lastCheckpointSeq}, the log ends at ${tail.maxSeq}`,
    });
  }
  problems.sort((a, b) => a.seq - b.seq);
  return { ok: problems.length === 0, checked, problems };
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

/** Walks checkpoints alongside the rows, one page at a time. */
class CheckpointCursor {
  readonly problems: AuditProblem[] = [];
  #page: Checkpoint[] = [];
  #after = 0;
  #done = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly publicKey: KeyObject | null,
    private readonly pageSize: number,
  ) {}

  /** Whether `visit` has anything to do at this seq: a page to read, or a checkpoint at or before it. */
  due(seq: number): boolean {
    const head = this.#page[0];
    return head === undefined ? !this.#done : head.seq <= seq;
  }

  /** Checks every checkpoint with seq <= row.seq; the one at row.seq against the row. */
  async visit(row: AuditRow): Promise<void> {
    for (let cp = await this.#peek(); cp !== undefined && cp.seq <= row.seq; cp = await this.#peek()) {
      this.#page.shift();
      this.#checkSignature(cp);
      if (cp.seq === row.seq && cp.hash !== row.hash) {
        this.problems.push({
          seq: cp.seq,
          kind: "checkpoint_mismatch",
          detail: `signed hash ${cp.hash.slice(0, 12)}…, row has ${row.hash.slice(0, 12)}…`,
        });
      }
    }
  }

  /** Checks the signatures of the checkpoints past the last row; returns all problems found. */
  async rest(): Promise<AuditProblem[]> {
    for (let cp = await this.#peek(); cp !== undefined; cp = await this.#peek()) {
      this.#page.shift();
      this.#checkSignature(cp);
    }
    return this.problems;
  }

  #checkSignature(cp: Checkpoint): void {
    const message = checkpointMessage(cp.seq, cp.hash, cp.at);
    const ok = this.publicKey !== null && signatureHolds(message, this.publicKey, cp.signature);
    if (!ok) {
      const why =
        this.publicKey === null ? "no public key was given" : `it does not verify (key ${cp.keyId})`;
      this.problems.push({ seq: cp.seq, kind: "bad_signature", detail: `checkpoint signature: ${why}` });
    }
  }

  async #peek(): Promise<Checkpoint | undefined> {
    if (this.#page.length === 0 && !this.#done) {
      this.#page = await readCheckpointPage(this.db, this.#after, this.pageSize);
      this.#done = this.#page.length < this.pageSize;
      this.#after = this.#page[this.#page.length - 1]?.seq ?? this.#after;
    }
    return this.#page[0];
  }
}

function signatureHolds(message: Buffer, publicKey: KeyObject, signature: string): boolean {
  try {
    return verifySignature(null, message, publicKey, Buffer.from(signature, "base64"));
  } catch {
    return false; // a malformed signature is a bad one
  }
}
