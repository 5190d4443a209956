import type { Socket } from "node:net";
import { SMTPServer, type SMTPServerAddress } from "smtp-server";

/**
 * A real SMTP server on 127.0.0.1 (any free port) that keeps every accepted message. No TLS, no
 * AUTH: point a transport at `url`. Behaviour per message attempt `n` (0 for the first DATA the
 * sink sees, counting refused and dropped ones):
 * - `refuse(n)` → an SMTP reply code (e.g. 450, 550) sent after DATA instead of 250, or null;
 * - `dropAfterData(n)` → true: the socket is destroyed once the message is read, before any reply
 *   (the client sees the connection drop mid-DATA; the message is not kept);
 * - `delayMs`: wait this long before answering each DATA.
 */
export interface SmtpSinkOptions {
  refuse?: (n: number) => number | null;
  dropAfterData?: (n: number) => boolean;
  delayMs?: number;
}

export interface ReceivedMessage {
  /** The message as it arrived, headers and body, CRLF line ends. */
  readonly raw: string;
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  /** The Message-ID header without angle brackets, or null. */
  readonly messageId: string | null;
}

export interface SmtpSink {
  readonly url: string;
  readonly messages: ReceivedMessage[];
  /** Number of DATA attempts seen (accepted, refused and dropped). */
  attempts(): number;
  close(): Promise<void>;
}

function address(a: SMTPServerAddress | false): string {
  return a ? a.address : "";
}

function messageIdOf(raw: string): string | null {
  const headerEnd = raw.indexOf("\r\n\r\n");
  const head = (headerEnd === -1 ? raw : raw.slice(0, headerEnd)).replace(/\r\n[ \t]+/g, " ");
  const match = /^message-id:\s*<?([^>\r\n]+)>?/im.exec(head);
  return match?.[1]?.trim() ?? null;
}

export async function startSmtpSink(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: ReceivedMessage[] = [];
  const sockets = new Map<number, Socket>();
  let attempts = 0;

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    banner: "pledge test sink",
    closeTimeout: 100,
    size: 0,
    onData(stream, session, callback) {
      const n = attempts++;
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const finish = () => {
          if (opts.dropAfterData?.(n)) {
            sockets.get(session.remotePort)?.destroy();
            return;
          }
          const refusal = opts.refuse?.(n) ?? null;
          if (refusal !== null) {
            const error = Object.assign(new Error(`refused by the test sink (${refusal})`), {
              responseCode: refusal,
            });
            callback(error);
            return;
          }
          messages.push({
            raw,
            envelope: {
              from: address(session.envelope.mailFrom),
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            messageId: messageIdOf(raw),
          });
          callback(null, "queued");
        };
        if (opts.delayMs) setTimeout(finish, opts.delayMs);
        else finish();
      });
    },
  });

  server.server.on("connection", (socket: Socket) => {
    const port = socket.remotePort ?? 0;
    sockets.set(port, socket);
    socket.on("close", () => sockets.delete(port));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  // A client that dies mid-session (a `pledge serve` killed with -9) resets its connection, and
  // smtp-server reports that as an "error" on the server: an expected event here, not a failure.
  // Unheard, it would be an uncaught exception in the test process.
  server.on("error", () => undefined);
  const addr = server.server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    attempts: () => attempts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets.values()) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
