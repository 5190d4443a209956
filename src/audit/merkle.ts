import { createHash } from "node:crypto";

/** One chain's head as a checkpoint commits to it. */
export interface HeadEntry {
  readonly chain: number;
  readonly seq: number;
  /** Hex SHA-256 chain hash of row `seq` of the chain (64 zeros for an empty chain). */
  readonly hash: string;
}

/**
 * What a checkpoint signs for a log of several chains: the Merkle tree hash of RFC 6962 (section
 * 2.1; RFC 9162 section 2.1.1) over the chains' heads in chain order, each leaf the UTF-8 text
 * `pledge-audit-head/1 <chain> <seq> <hex hash>`. Leaves are hashed as SHA-256(0x00 ‖ leaf),
 * inner nodes as SHA-256(0x01 ‖ left ‖ right), the left subtree holding the largest power of two
 * below the count. A log of one chain signs its head's hash itself, as it always has.
 */
export function headsRoot(heads: readonly HeadEntry[]): string {
  if (heads.length === 0) throw new Error("a checkpoint commits to at least one chain");
  if (heads.length === 1) return heads[0]!.hash;
  return treeHash(heads.map((h) => leafHash(h))).toString("hex");
}

/** The rows a checkpoint of these heads covers: every chain's seq added up. */
export function headsSize(heads: readonly HeadEntry[]): number {
  return heads.reduce((sum, h) => sum + h.seq, 0);
}

function leafHash(h: HeadEntry): Buffer {
  return createHash("sha256")
    .update(Buffer.of(0))
    .update(`pledge-audit-head/1 ${h.chain} ${h.seq} ${h.hash}`, "utf8")
    .digest();
}

function treeHash(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0]!;
  let split = 1;
  while (split * 2 < leaves.length) split *= 2;
  return createHash("sha256")
    .update(Buffer.of(1))
    .update(treeHash(leaves.slice(0, split)))
    .update(treeHash(leaves.slice(split)))
    .digest();
}
