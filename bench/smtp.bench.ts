/**
 * Email throughput: messages per second through Pledge's transport (`createSmtpTransport`:
 * pooled, DKIM-signed rsa-sha256, List-Unsubscribe headers, a fixed Message-ID) to a local
 * smtp-server sink that reads and discards each message, against raw nodemailer doing the same
 * work in the same run: the same pool, messages and headers, signed with the same DKIM key by
 * nodemailer's own signer (given the same parsed key object). A second row compares the transport with DKIM off against raw
 * nodemailer without DKIM, and a third shows what signing costs (raw signed vs raw unsigned).
 * Every sender keeps `POOL × 2` messages in flight. Rounds alternate; each figure is the median
 * round, the ratio the median of the same rounds' ratios. Goal: ≥ 0.8× raw doing the same work.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import type { MailConfig } from "../src/config.ts";
import { createSmtpTransport } from "../src/modules/messages/transport.ts";
import { median, printResults, type BenchResult } from "./lib.ts";

const POOL = 5;
const ROUNDS = 9;
const PER_ROUND = 400;
const TEXT = "Hello,\n\nOur spring range is out.\n".repeat(20);

async function sink(): Promise<{ url: string; close(): Promise<void> }> {
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    closeTimeout: 100,
    onData(stream, _session, callback) {
      stream.on("data", () => undefined);
      stream.on("end", () => callback(null));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const addr = server.server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return { url: `smtp://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

async function throughput(send: (i: number) => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next < PER_ROUND) await send(next++);
  };
  await Promise.all(Array.from({ length: POOL * 2 }, worker));
  return PER_ROUND / (Number(process.hrtime.bigint() - start) / 1e9);
}

export async function run(): Promise<BenchResult[]> {
  const server = await sink();
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyFile = path.join(mkdtempSync(path.join(tmpdir(), "pledge-bench-")), "dkim.pem");
  writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }));
  const mail: MailConfig = {
    smtpUrl: server.url,
    from: "news@mail.example.test",
    publicUrl: "https://pledge.example.test",
    unsubscribeMailto: "unsubscribe@mail.example.test",
    dkim: { domain: "mail.example.test", selector: "bench", keyFile },
    smtpPool: POOL,
    sendWorkers: false,
  };
  const pledge = createSmtpTransport(mail);
  const unsigned = createSmtpTransport({ ...mail, dkim: null });
  const url = new URL(server.url);
  const raw = nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port),
    secure: false,
    pool: true,
    maxConnections: POOL,
    logger: false,
  });
  const token = "AbCdEfGhIjKlMnOpQrStUv.AbCdEfGhIjKlMnOpQrStUv";
  const rawSigned = nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port),
    secure: false,
    pool: true,
    maxConnections: POOL,
    logger: false,
    dkim: {
      domainName: "mail.example.test",
      keySelector: "bench",
      // The parsed key, as Pledge's transport passes it: both sides sign with a ready KeyObject.
      privateKey: privateKey as unknown as string,
      headerFieldNames: "from:to:subject:date:message-id:list-unsubscribe:list-unsubscribe-post",
    },
  });
  const rawSignedSend = (i: number) =>
    rawSigned.sendMail({
      from: mail.from,
      to: `person${i}@example.org`,
      subject: "Spring range",
      text: TEXT,
      messageId: `<bench.${i}@mail.example.test>`,
      headers: {
        "List-Unsubscribe": `<${mail.publicUrl}/u/${token}>, <mailto:${mail.unsubscribeMailto}?subject=unsubscribe-${token}>`,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      },
    });
  const pledgeSend = (i: number, via = pledge) =>
    via.send({
      headerMessageId: `bench.${i}`,
      to: `person${i}@example.org`,
      subject: "Spring range",
      text: TEXT,
      listUnsubscribe: {
        url: `${mail.publicUrl}/u/${token}`,
        mailto: `mailto:${mail.unsubscribeMailto}?subject=unsubscribe-${token}`,
      },
    });
  const rawSend = (i: number) =>
    raw.sendMail({ from: mail.from, to: `person${i}@example.org`, subject: "Spring range", text: TEXT });

  // Warm both pools (connections open, JIT warm) before measuring.
  await throughput(pledgeSend);
  await throughput(rawSend);
  const unsignedSend = (i: number) => pledgeSend(i, unsigned);
  await throughput(unsignedSend);
  await throughput(rawSignedSend);
  const ours: number[] = [];
  const plain: number[] = [];
  const theirs: number[] = [];
  const theirsSigned: number[] = [];
  for (let r = 0; r < ROUNDS; r += 1) {
    const order = r % 2 === 0 ? [0, 1, 2, 3] : [3, 2, 1, 0];
    for (const which of order) {
      if (which === 0) ours.push(await throughput(pledgeSend));
      if (which === 1) plain.push(await throughput(unsignedSend));
      if (which === 2) theirs.push(await throughput(rawSend));
      if (which === 3) theirsSigned.push(await throughput(rawSignedSend));
    }
  }
  await pledge.close();
  await unsigned.close();
  raw.close();
  rawSigned.close();
  await server.close();
  const ratio = median(ours.map((p, r) => p / theirsSigned[r]!));
  const signing = median(theirsSigned.map((p, r) => p / theirs[r]!));
  const plainRatio = median(plain.map((p, r) => p / theirs[r]!));
  return [
    {
      name: `email to local SMTP (pool ${POOL}, DKIM, List-Unsubscribe)`,
      value: median(ours),
      unit: "msg/s",
      peer: "raw nodemailer, same DKIM key and headers",
      peerValue: median(theirsSigned),
      ratio,
      goal: "≥ 0.8× raw",
      pass: ratio >= 0.8,
    },
    {
      name: `email to local SMTP (pool ${POOL}, no DKIM, List-Unsubscribe)`,
      value: median(plain),
      unit: "msg/s",
      peer: "raw nodemailer pool, no DKIM",
      peerValue: median(theirs),
      ratio: plainRatio,
      goal: "≥ 0.8× raw",
      pass: plainRatio >= 0.8,
    },
    {
      name: "what DKIM signing costs raw nodemailer (RSA-2048)",
      value: median(theirsSigned),
      unit: "msg/s",
      peer: "raw nodemailer pool, no DKIM",
      peerValue: median(theirs),
      ratio: signing,
      goal: "for information",
      pass: true,
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) printResults(await run());
