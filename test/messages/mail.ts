import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { authenticate } from "mailauth";
import type { MailConfig } from "../../src/config.ts";

/** A fresh 2048-bit RSA DKIM key: the PEM file's path and the TXT record publishing it. */
export function dkimKey(selector = "s1", domain = "mail.example.test") {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const dir = mkdtempSync(path.join(tmpdir(), "pledge-dkim-"));
  const keyFile = path.join(dir, "dkim.pem");
  writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }));
  const der = publicKey.export({ type: "spki", format: "der" }).toString("base64");
  return {
    keyFile,
    domain,
    selector,
    txt: `v=DKIM1; k=rsa; p=${der}`,
    env: {
      PLEDGE_DKIM_DOMAIN: domain,
      PLEDGE_DKIM_SELECTOR: selector,
      PLEDGE_DKIM_KEY_FILE: keyFile,
    },
  };
}

export function mailConfig(
  smtpUrl: string,
  dkim: { keyFile: string; domain: string; selector: string } | null,
): MailConfig {
  return {
    smtpUrl,
    from: "news@mail.example.test",
    publicUrl: "https://pledge.example.test",
    unsubscribeMailto: "unsubscribe@mail.example.test",
    dkim: dkim ? { domain: dkim.domain, selector: dkim.selector, keyFile: dkim.keyFile } : null,
    smtpPool: 2,
    sendWorkers: false,
  };
}

/** Verifies the message's DKIM signature offline: DNS answers only the test key's TXT record. */
export async function verifyDkim(raw: string, key: { selector: string; domain: string; txt: string }) {
  const result = await authenticate(raw, {
    ip: "127.0.0.1",
    helo: "localhost",
    sender: "news@mail.example.test",
    mta: "mx.example.test",
    disableArc: true,
    disableDmarc: true,
    disableBimi: true,
    resolver: async (name: string, rr: string) => {
      if (rr === "TXT" && name === `${key.selector}._domainkey.${key.domain}`) return [[key.txt]];
      const error = Object.assign(new Error(`no ${rr} record for ${name}`), { code: "ENOTFOUND" });
      throw error;
    },
  });
  return result.dkim.results;
}

/** The header block unfolded, as `name → value` (first occurrence), names lower-cased. */
export function headersOf(raw: string): Map<string, string> {
  const end = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, end).replace(/\r\n[ \t]+/g, " ");
  const out = new Map<string, string>();
  for (const line of head.split("\r\n")) {
    const i = line.indexOf(":");
    const name = line.slice(0, i).trim().toLowerCase();
    if (!out.has(name)) out.set(name, line.slice(i + 1).trim());
  }
  return out;
}

/** The `h=` tag of the DKIM-Signature header, lower-cased names. */
export function signedHeaders(raw: string): string[] {
  const sig = headersOf(raw).get("dkim-signature") ?? "";
  const h = /(?:^|;)\s*h=([^;]+)/.exec(sig)?.[1] ?? "";
  return h.replace(/\s+/g, "").toLowerCase().split(":").filter(Boolean);
}

/** The https URI of List-Unsubscribe. */
export function oneClickUrl(raw: string): string {
  const value = headersOf(raw).get("list-unsubscribe") ?? "";
  const url = /<(https?:\/\/[^>]+)>/.exec(value)?.[1];
  if (!url) throw new Error("no https List-Unsubscribe URI");
  return url;
}
