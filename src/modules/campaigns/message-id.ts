import { createHmac } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../store/database.ts";
import { derive, signingKey } from "../unsubscribe/tokens.ts";
import type { MessageRef } from "./campaigns.ts";

/**
 * The local part of a campaign message's Message-ID: `<message id>.<person>`, where `<person>`
 * is the subject id XORed with a mask drawn from the message id under a server key (HMAC-SHA256
 * with a key derived from the unsubscribe signing key, 128 bits), in base64url. A provider's
 * report quoting the header names the message and its person, so the report is matched by the
 * outbox's primary key on the person's shard (docs/citus.md). The mask differs per message, so
 * the header names no subject: two messages to one person share nothing, and without the key
 * the part after the dot is noise. A forged or altered part unmasks to another subject id, which
 * matches no message.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MASKED = /^[A-Za-z0-9_-]{22}$/;

export async function messageIdKey(db: Kysely<Database>): Promise<Buffer> {
  return derive(await signingKey(db), "message-id");
}

function mask(key: Buffer, messageId: string): Buffer {
  return createHmac("sha256", key).update(messageId.toLowerCase()).digest().subarray(0, 16);
}

function xor(a: Buffer, b: Buffer): Buffer {
  return Buffer.from(a.map((byte, i) => byte ^ b[i]!));
}

export function headerLocalPart(key: Buffer, ref: MessageRef): string {
  const subject = Buffer.from(ref.subjectId.replace(/-/g, ""), "hex");
  return `${ref.messageId}.${xor(subject, mask(key, ref.messageId)).toString("base64url")}`;
}

/** The message and person a local part of `headerLocalPart`'s form names; null for any other. */
export function refOfLocalPart(key: Buffer, local: string): MessageRef | null {
  const dot = local.indexOf(".");
  const messageId = local.slice(0, dot);
  const masked = local.slice(dot + 1);
  if (dot < 0 || !UUID.test(messageId) || !MASKED.test(masked)) return null;
  const hex = xor(Buffer.from(masked, "base64url"), mask(key, messageId)).toString("hex");
  const subjectId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { messageId: messageId.toLowerCase(), subjectId };
}
