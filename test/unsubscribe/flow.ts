import path from "node:path";
import type { LightMyRequestResponse } from "fastify";
import { inForce, loadPolicyHistory } from "../../src/policy/history.ts";
import { POLICIES_DIR } from "../harness/app.ts";
import { compilePolicy } from "../../src/gate/compile.ts";
import { compileAudience } from "../../src/gate/sql.ts";
import { selectAudience } from "../../src/use/audience.ts";
import type { Channel } from "../../src/policy/schema.ts";
import { createSmtpTransport, type MailTransport } from "../../src/modules/messages/transport.ts";
import { unsubscribeLinks } from "../../src/modules/unsubscribe/links.ts";
import { fixture, type Fixture } from "../consent/fixture.ts";
import { startSmtpSink, type ReceivedMessage, type SmtpSink } from "../harness/smtp.ts";
import { dkimKey, mailConfig, oneClickUrl } from "../messages/mail.ts";
import type { MailConfig } from "../../src/config.ts";

/**
 * A test app for one pack, a real SMTP sink, and a DKIM-signing pooled transport to it: marketing
 * email is sent for real, received, and its List-Unsubscribe link is used through `app.inject`.
 */
export interface EmailFlow extends Fixture {
  readonly sink: SmtpSink;
  readonly transport: MailTransport;
  readonly mail: MailConfig;
  readonly key: ReturnType<typeof dkimKey>;
  /** Sends one marketing message with unsubscribe links and returns it as received. */
  send(
    subjectId: string,
    to: string,
    what: { purpose: string; topic?: string | null; campaignId?: string; channel?: Channel },
  ): Promise<ReceivedMessage>;
  /** POSTs the RFC 8058 body to the path of the message's https link. */
  oneClick(url: string, as?: "urlencoded" | "multipart"): Promise<LightMyRequestResponse>;
  /** The subject ids of a marketing email audience, from the gate's SQL form. */
  audience(purpose: string, topic?: string): Promise<string[]>;
  close(): Promise<void>;
}

let sent = 0;

export async function emailFlow(company: string): Promise<EmailFlow> {
  const f = await fixture(company);
  const sink = await startSmtpSink();
  const key = dkimKey();
  const mail = mailConfig(sink.url, key);
  const transport = createSmtpTransport(mail);
  return {
    ...f,
    sink,
    transport,
    mail,
    key,
    async send(subjectId, to, what) {
      const before = sink.messages.length;
      const listUnsubscribe = await unsubscribeLinks(f.t.store.db, mail, {
        subjectId,
        campaignId: what.campaignId ?? "00000000-0000-4000-8000-00000000c001",
        channel: what.channel ?? "email",
        purpose: what.purpose,
        topic: what.topic ?? null,
      });
      const headerMessageId = `t${++sent}.${subjectId}`;
      await transport.send({ headerMessageId, to, subject: "News", text: "Hello", listUnsubscribe });
      if (sink.messages.length !== before + 1) throw new Error("the message did not arrive");
      return sink.messages[before] as ReceivedMessage;
    },
    oneClick(url, as = "urlencoded") {
      const path = new URL(url).pathname;
      if (as === "multipart") {
        const boundary = "----pledge-test-boundary";
        return f.t.app.inject({
          method: "POST",
          url: path,
          headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
          payload:
            `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\n` +
            `One-Click\r\n--${boundary}--\r\n`,
        });
      }
      return f.t.app.inject({
        method: "POST",
        url: path,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: "List-Unsubscribe=One-Click",
      });
    },
    async audience(purpose, topic) {
      const at = new Date().toISOString();
      const pack = inForce(await loadPolicyHistory(path.join(POLICIES_DIR, company)), at);
      const use = {
        action: "send" as const,
        purpose,
        actor: { kind: "system" as const, id: "test" },
        fields: ["email"],
        channel: "email" as const,
        messageClass: "marketing" as const,
        ...(topic ? { topic } : {}),
        at,
      };
      const facts = { actorAttested: true, recipientContractOnFile: null, deploymentRegion: "us" };
      return selectAudience(f.t.store.db, compileAudience(compilePolicy(pack), facts, use));
    },
    async close() {
      await transport.close();
      await sink.close();
      await f.t.close();
    },
  };
}

export { oneClickUrl };
