import type { Channel } from "../../policy/schema.ts";
import type { Provenance } from "../records/records.ts";

/**
 * Communications carried for a subject (ZZ-03): stored only as part of delivering them. The
 * metadata (direction, channel, time, size) is readable for the purposes that allow
 * `message_metadata`; the content (`message_content`) is never listed and is opened one message
 * at a time, on one of the pack's content grounds, for a named case (ZZ-11, ZZ-12). There is no
 * search over content.
 */
export const DIRECTIONS = ["inbound", "outbound"] as const;
export type Direction = (typeof DIRECTIONS)[number];

export interface NewMessage {
  readonly direction: Direction;
  readonly channel: Channel;
  readonly content: string;
  /** The purpose the message is carried for (a delivery purpose of the pack). */
  readonly purpose: string;
  readonly collectionPoint: string;
}

export interface MessageMetadata {
  readonly messageId: string;
  readonly direction: Direction;
  readonly channel: Channel;
  readonly at: string;
  readonly sizeBytes: number;
  readonly provenance: Provenance;
}

export interface StoredMessage {
  readonly messageId: string;
  readonly provenance: Provenance;
}

export interface OpenRequest {
  readonly purpose: string;
  /** One of the pack's `communications.content_grounds`. */
  readonly ground: string;
  /** The abuse or legal case that justifies opening this message (the gate requires it when the pack does). */
  readonly caseId?: string;
}

export interface OpenedMessage extends MessageMetadata {
  readonly content: string;
  readonly ground: string;
  readonly caseId: string | null;
}
