import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSmtpTransport,
  TransportError,
  type MailTransport,
} from "../../src/modules/messages/transport.ts";
import { startSmtpSink, type SmtpSink } from "../harness/smtp.ts";
import { dkimKey, headersOf, mailConfig, signedHeaders, verifyDkim } from "./mail.ts";

const key = dkimKey();
const links = {
  url: "https://pledge.example.test/u/AbCdEf0123456789_-AbCdEf0123456789_-AbCdEf0123",
  mailto: "mailto:unsubscribe@mail.example.test?subject=unsubscribe-AbCdEf0123456789",
};

describe("SMTP transport", () => {
  let sink: SmtpSink;
  let transport: MailTransport;
  beforeAll(async () => {
    sink = await startSmtpSink();
    transport = createSmtpTransport(mailConfig(sink.url, key));
  });
  afterAll(async () => {
    await transport.close();
    await sink.close();
  });

  it("delivers a DKIM-signed message whose signature covers both unsubscribe headers", async () => {
    await transport.send({
      headerMessageId: "c1.s1",
      to: "someone@example.org",
      subject: "News",
      text: "Hello",
      html: "<p>Hello</p>",
      listUnsubscribe: links,
    });
    expect(sink.messages).toHaveLength(1);
    const received = sink.messages[0]!;
    expect(received.envelope.to).toEqual(["someone@example.org"]);
    expect(received.messageId).toBe("c1.s1@mail.example.test");
    const headers = headersOf(received.raw);
    expect(headers.get("list-unsubscribe")).toBe(`<${links.url}>, <${links.mailto}>`);
    expect(headers.get("list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
    const h = signedHeaders(received.raw);
    expect(h).toContain("list-unsubscribe");
    expect(h).toContain("list-unsubscribe-post");
    const results = await verifyDkim(received.raw, key);
    expect(results.map((r) => r.status.result)).toEqual(["pass"]);
  });

  it("a message altered in transit fails verification", async () => {
    await transport.send({
      headerMessageId: "c1.s2",
      to: "a@example.org",
      subject: "x",
      text: "y",
      listUnsubscribe: links,
    });
    const raw = sink.messages
      .at(-1)!
      .raw.replace(
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        "List-Unsubscribe-Post: List-Unsubscribe=Two-Clicks",
      );
    const results = await verifyDkim(raw, key);
    expect(results.map((r) => r.status.result)).toEqual(["fail"]);
  });

  it("sends without unsubscribe headers when none are given", async () => {
    await transport.send({
      headerMessageId: "svc.1",
      to: "b@example.org",
      subject: "Receipt",
      text: "Thanks",
    });
    const headers = headersOf(sink.messages.at(-1)!.raw);
    expect(headers.has("list-unsubscribe")).toBe(false);
    expect(headers.has("list-unsubscribe-post")).toBe(false);
  });
});

describe("SMTP failures", () => {
  async function failure(opts: Parameters<typeof startSmtpSink>[0]) {
    const sink = await startSmtpSink(opts);
    const transport = createSmtpTransport(mailConfig(sink.url, null));
    try {
      await transport.send({ headerMessageId: "f.1", to: "c@example.org", subject: "s", text: "t" });
      return { error: null, sink };
    } catch (error) {
      return { error, sink };
    } finally {
      await transport.close();
      await sink.close();
    }
  }

  it("a 4xx reply is a temporary refusal", async () => {
    const { error, sink } = await failure({ refuse: () => 451 });
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: "smtp_refused", permanent: false, responseCode: 451 });
    expect(sink.messages).toHaveLength(0);
  });

  it("a 5xx reply is a permanent refusal", async () => {
    const { error } = await failure({ refuse: () => 550 });
    expect(error).toMatchObject({ code: "smtp_refused", permanent: true, responseCode: 550 });
  });

  it("a connection dropped mid-DATA is temporary", async () => {
    const { error, sink } = await failure({ dropAfterData: () => true });
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ permanent: false });
    expect(["smtp_dropped", "smtp_unavailable"]).toContain((error as TransportError).code);
    expect(sink.attempts()).toBe(1);
  });

  it("an unreachable relay is temporary", async () => {
    const sink = await startSmtpSink();
    const url = sink.url;
    await sink.close();
    const transport = createSmtpTransport(mailConfig(url, null));
    const error = await transport
      .send({ headerMessageId: "f.2", to: "d@example.org", subject: "s", text: "t" })
      .catch((e: unknown) => e);
    await transport.close();
    expect(error).toMatchObject({ code: "smtp_unavailable", permanent: false });
  });

  it("errors never name the recipient", async () => {
    const { error } = await failure({ refuse: () => 550 });
    expect(String((error as Error).message)).not.toContain("c@example.org");
  });
});
