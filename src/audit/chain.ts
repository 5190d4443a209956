import type { AuditProblem, ProblemKind } from "./verify.report.ts";
import { GENESIS_HASH } from "./hash.ts";

interface Link {
  seq: number;
  prevHash: string;
  hash: string;
}

/** Lookups over the rows near the one being checked (the page before, this page and the next). */
export interface ChainWindow {
  /** seq of the row whose hash is `hash`. */
  seqOfHash(hash: string): number | undefined;
  /** seq of a row whose prev_hash is `hash`, i.e. the row that follows it in the chain. */
  seqOfSuccessor(hash: string): number | undefined;
}

/**
 * Walks rows in seq order and names what broke where the chain and the numbering disagree.
 * Rules, in order, for row r after row p (the row before it by seq):
 *  1. r's content does not match its hash → `edited` at r.
 *  2. r links to p and seq is contiguous → fine. Links but seq jumps → `moved` (renumbered).
 *  3. seq jumps and r does not link to p → `deleted`, naming the missing seqs.
 *  4. r links to a row after it, or a row before it links to r → `moved` at r.
 *  5. the break is explained by a row already found moved → nothing more.
 *  6. r links to the row before p, and nothing links to p → p was `inserted`.
 *  7. r links to a hash no row has → p was rewritten with a new hash (`edited` at p); this is
 *     indistinguishable from rows removed after p and the rest renumbered, and the detail says so.
 *  8. r links to some other earlier row → `moved` at r.
 */
export class ChainChecker {
  readonly problems: AuditProblem[] = [];
  #p: Link = { seq: 0, prevHash: "", hash: GENESIS_HASH };
  #pp: Link | undefined;
  readonly #moved = new Set<number>();

  check(r: Link, contentOk: boolean, win: ChainWindow): void {
    const p = this.#p;
    if (!contentOk) this.#add(r.seq, "edited", "its content does not match its hash");
    const gap = r.seq - p.seq - 1;
    if (r.prevHash === p.hash) {
      if (gap > 0)
        this.#add(
          r.seq,
          "moved",
          `seq jumps from ${p.seq} to ${r.seq} but the chain is unbroken: rows were renumbered`,
        );
    } else if (gap > 0) {
      const missing =
        gap === 1 ? `row ${p.seq + 1} is missing` : `rows ${p.seq + 1} to ${r.seq - 1} are missing`;
      this.#add(p.seq + 1, "deleted", `${missing}: row ${r.seq} links to a row that is not there`);
    } else if (gap < 0) {
      this.#add(r.seq, "inserted", `seq ${r.seq} appears more than once`);
    } else if (contentOk) {
      this.#classifyBreak(r, p, win);
    }
    this.#pp = p;
    this.#p = r;
  }

  #classifyBreak(r: Link, p: Link, win: ChainWindow): void {
    const pred = win.seqOfHash(r.prevHash);
    const succ = win.seqOfSuccessor(r.hash);
    if (pred !== undefined && pred > r.seq) {
      this.#moved.add(r.seq);
      this.#add(r.seq, "moved", `it links to row ${pred}, which comes after it`);
    } else if (succ !== undefined && succ < r.seq) {
      this.#moved.add(r.seq);
      this.#add(r.seq, "moved", `row ${succ}, which comes before it, links to it`);
    } else if (this.#moved.has(p.seq) || (pred !== undefined && this.#moved.has(pred))) {
      return; // the break is the other end of a move already reported
    } else if (
      this.#pp !== undefined &&
      r.prevHash === this.#pp.hash &&
      win.seqOfSuccessor(p.hash) === undefined
    ) {
      this.#drop(p.seq, "edited");
      this.#add(p.seq, "inserted", `it is not in the chain: row ${r.seq} links to row ${this.#pp.seq}`);
    } else if (pred === undefined) {
      const at = p.seq === 0 ? r.seq : p.seq;
      this.#add(
        at,
        "edited",
        `row ${r.seq} links to a hash no row has: row ${at} was rewritten with a recomputed hash, ` +
          `or rows after it were removed and the rest renumbered`,
      );
    } else {
      this.#moved.add(r.seq);
      this.#add(r.seq, "moved", `it links to row ${pred} instead of row ${p.seq}`);
    }
  }

  #add(seq: number, kind: ProblemKind, detail: string): void {
    this.problems.push({ seq, kind, detail });
  }

  #drop(seq: number, kind: ProblemKind): void {
    const i = this.problems.findIndex((x) => x.seq === seq && x.kind === kind);
    if (i >= 0) this.problems.splice(i, 1);
  }
}
