import { createPrivateKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import nodemailer from "nodemailer";
import type { MailConfig } from "../../config.ts";

/**
 * Outbound email over SMTP: one pooled nodemailer transport per node, DKIM-signed when the
 * config names a key, with RFC 8058 one-click unsubscribe headers on every message that carries
 * links. The transport never logs: addresses stay out of every log line and error message.
 */

export interface OutgoingEmail {
  /** The local part of the Message-ID; the same message always gets the same id (dedupe downstream). */
  readonly headerMessageId: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string | null;
  /** Both URIs of `List-Unsubscribe`; the https one also gets `List-Unsubscribe-Post` (RFC 8058). */
  readonly listUnsubscribe?: { readonly url: string; readonly mailto: string };
}

export interface MailTransport {
  /** Resolves once the relay accepted the message (250 after DATA); rejects with a TransportError. */
  send(m: OutgoingEmail): Promise<void>;
  close(): Promise<void>;
}

export type TransportErrorCode =
  /** The relay answered the envelope or the data with a negative reply (4xx or 5xx). */
  | "smtp_refused"
  /** No session: the relay could not be reached, TLS or authentication failed, or it timed out. */
  | "smtp_unavailable"
  /** The session was closed under us, e.g. in the middle of DATA: the message may or may not be queued. */
  | "smtp_dropped"
  /** Anything else (a bug or an unusable message). */
  | "smtp_failed";

/**
 * Why a message was not accepted. `permanent: true` (a 5xx reply) means sending the same message
 * again will be refused again; `false` means retry later. The message never names the recipient.
 */
export class TransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    readonly permanent: boolean,
    readonly responseCode: number | null,
    options?: { cause?: unknown },
  ) {
    super(
      `email not accepted: ${code}${responseCode === null ? "" : ` (${responseCode})`}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "TransportError";
  }
}

/** Headers the DKIM signature covers: nodemailer's RFC 6376 list plus the RFC 8058 pair. */
export const DKIM_SIGNED_HEADERS = [
  "From",
  "Sender",
  "Reply-To",
  "Subject",
  "Date",
  "Message-ID",
  "To",
  "Cc",
  "MIME-Version",
  "Content-Type",
  "Content-Transfer-Encoding",
  "In-Reply-To",
  "References",
  "List-Id",
  "List-Unsubscribe",
  "List-Unsubscribe-Post",
].join(":");

export const ONE_CLICK_BODY = "List-Unsubscribe=One-Click";

/** The domain of the Message-ID: the DKIM domain when signing, else the From address's domain. */
export function messageIdDomain(mail: MailConfig): string {
  return mail.dkim?.domain ?? mail.from.slice(mail.from.lastIndexOf("@") + 1);
}

/** `<https://…>, <mailto:…>`: the https URI first, as Gmail and Yahoo prefer it. */
export function listUnsubscribeValue(links: { url: string; mailto: string }): string {
  return `<${links.url}>, <${links.mailto}>`;
}

/** Maps a nodemailer error to a TransportError: 5xx permanent, 4xx and lost sessions temporary. */
export function toTransportError(error: unknown): TransportError {
  if (error instanceof TransportError) return error;
  const e = (error ?? {}) as { responseCode?: unknown; code?: unknown };
  const responseCode = typeof e.responseCode === "number" ? e.responseCode : null;
  const code = typeof e.code === "string" ? e.code : "";
  if (responseCode !== null && responseCode >= 400 && responseCode < 600) {
    // 503 is "bad sequence of commands": a session problem, not a refusal of the message.
    const permanent = responseCode >= 500 && responseCode !== 503;
    return new TransportError("smtp_refused", permanent, responseCode, { cause: error });
  }
  if (code === "ECONNECTION")
    return new TransportError("smtp_dropped", false, responseCode, { cause: error });
  if (["ESOCKET", "ETIMEDOUT", "EDNS", "ETLS", "EAUTH", "ENOAUTH", "EPROXY", "EMAXLIMIT"].includes(code)) {
    return new TransportError("smtp_unavailable", false, responseCode, { cause: error });
  }
  if (code === "EPROTOCOL") return new TransportError("smtp_dropped", false, responseCode, { cause: error });
  return new TransportError("smtp_failed", false, responseCode, { cause: error });
}

/**
 * Reads and checks the DKIM key once. nodemailer signs `rsa-sha256` only, so the key must be RSA.
 * A parsed KeyObject, not the PEM text: parsing the PEM on every signature costs 4× the signing.
 */
function readDkimKey(keyFile: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(keyFile, "utf8");
  } catch {
    throw new Error("PLEDGE_DKIM_KEY_FILE: the key file cannot be read");
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new Error("PLEDGE_DKIM_KEY_FILE: expected a PEM private key");
  }
  const type = key.asymmetricKeyType;
  if (type !== "rsa") throw new Error(`PLEDGE_DKIM_KEY_FILE: expected an RSA key, got ${type ?? "unknown"}`);
  return key;
}

function connection(smtpUrl: string) {
  const url = new URL(smtpUrl);
  const secure = url.protocol === "smtps:";
  return {
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(url.username
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
  };
}

/**
 * A pooled SMTP transport (`mail.smtpPool` connections). Throws at once when `mail.smtpUrl` is
 * null or the DKIM key is unusable, so a misconfigured node fails at start, not mid-campaign.
 */
export function createSmtpTransport(mail: MailConfig): MailTransport {
  if (mail.smtpUrl === null) throw new Error("PLEDGE_SMTP_URL is not set: email cannot be sent");
  const dkim = mail.dkim
    ? {
        domainName: mail.dkim.domain,
        keySelector: mail.dkim.selector,
        privateKey: readDkimKey(mail.dkim.keyFile),
        headerFieldNames: DKIM_SIGNED_HEADERS,
      }
    : undefined;
  const transporter = nodemailer.createTransport({
    ...connection(mail.smtpUrl),
    pool: true,
    maxConnections: mail.smtpPool,
    logger: false,
    debug: false,
    ...(dkim ? { dkim } : {}),
  });
  const domain = messageIdDomain(mail);

  return {
    async send(m) {
      // Prepared headers are written as given: never re-folded after signing (nodemailer #1654).
      const headers = m.listUnsubscribe
        ? {
            "List-Unsubscribe": { prepared: true, value: listUnsubscribeValue(m.listUnsubscribe) },
            "List-Unsubscribe-Post": { prepared: true, value: ONE_CLICK_BODY },
          }
        : {};
      try {
        await transporter.sendMail({
          from: mail.from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          ...(m.html ? { html: m.html } : {}),
          messageId: `<${m.headerMessageId}@${domain}>`,
          headers,
        });
      } catch (error) {
        throw toTransportError(error);
      }
    },
    async close() {
      transporter.close();
      await Promise.resolve();
    },
  };
}
