import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("configuration", () => {
  it("defaults: port 4000 on localhost, embedded store in ./.pledge, the partstore pack, region us", () => {
    const config = loadConfig({});
    expect(config).toEqual({
      port: 4000,
      host: "localhost",
      databaseUrl: null,
      pgPrepared: true,
      dataDir: path.resolve(".pledge"),
      policy: "partstore",
      policiesDir: path.resolve("policies"),
      region: "us",
      bootstrapKey: null,
      logLevel: "info",
      bodyLimit: 65536,
      webhookSecret: null,
      trustProxy: false,
      checkpointDir: null,
      metricsToken: null,
      drpBusinessId: null,
      retentionHour: 3,
      analyticsHitsPerMinute: 600,
      mail: {
        smtpUrl: null,
        from: "no-reply@localhost",
        publicUrl: "http://localhost:4000",
        unsubscribeMailto: "unsubscribe@localhost",
        dkim: null,
        smtpPool: 5,
        sendWorkers: true,
      },
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.mail)).toBe(true);
  });

  it("DKIM takes all three of domain, selector and key file, or none", () => {
    expect(() => loadConfig({ PLEDGE_DKIM_DOMAIN: "example.com" })).toThrow(/all three or none/);
    const config = loadConfig({
      PLEDGE_DKIM_DOMAIN: "example.com",
      PLEDGE_DKIM_SELECTOR: "s1",
      PLEDGE_DKIM_KEY_FILE: "dkim.pem",
    });
    expect(config.mail.dkim).toEqual({
      domain: "example.com",
      selector: "s1",
      keyFile: path.resolve("dkim.pem"),
    });
  });

  it("the SMTP URL is a secret: a bad one is not echoed", () => {
    expect(() => loadConfig({ PLEDGE_SMTP_URL: "http://user:hunter2@relay" })).toThrow(
      /PLEDGE_SMTP_URL: expected an smtp:\/\/ or smtps:\/\/ URL, got a value of 25 characters/,
    );
  });

  it("PLEDGE_PORT wins over PORT; PORT is read when alone", () => {
    expect(loadConfig({ PORT: "8080" }).port).toBe(8080);
    expect(loadConfig({ PORT: "8080", PLEDGE_PORT: "9090" }).port).toBe(9090);
  });

  it("a wrong value names the variable, what was expected and what it got", () => {
    expect(problemsOf({ PLEDGE_PORT: "abc" })).toEqual([
      'PLEDGE_PORT: expected an integer 0–65535 (0: any free port), got "abc"',
    ]);
    expect(problemsOf({ PORT: "70000" })).toEqual([
      'PORT: expected an integer 0–65535 (0: any free port), got "70000"',
    ]);
    expect(problemsOf({ LOG_LEVEL: "loud" })[0]).toMatch(
      /^LOG_LEVEL: expected one of fatal, .*, got "loud"$/,
    );
    expect(problemsOf({ PLEDGE_BODY_LIMIT: "1.5" })[0]).toMatch(/^PLEDGE_BODY_LIMIT: expected a byte count/);
    expect(problemsOf({ PLEDGE_POLICY: "../etc" })[0]).toMatch(/^PLEDGE_POLICY: expected a pack id/);
  });

  it("every problem is reported at once", () => {
    expect(problemsOf({ PLEDGE_PORT: "-1", PLEDGE_REGION: "US East", LOG_LEVEL: "x" })).toHaveLength(3);
  });

  it("secrets are never echoed", () => {
    const [db] = problemsOf({ DATABASE_URL: "mysql://root:hunter2@db/x" });
    expect(db).toMatch(
      /^DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL, got a value of \d+ characters$/,
    );
    expect(db).not.toContain("hunter2");
    const [key] = problemsOf({ PLEDGE_BOOTSTRAP_KEY: "sekrit-value" });
    expect(key).toMatch(/^PLEDGE_BOOTSTRAP_KEY: expected an API key/);
    expect(key).not.toContain("sekrit");
  });

  it("accepts a PostgreSQL URL and a well-formed bootstrap key", () => {
    const key = `pk_abcdef012345_${"A".repeat(43)}`;
    const config = loadConfig({
      DATABASE_URL: "postgres://u@127.0.0.1:5432/pledge",
      PLEDGE_BOOTSTRAP_KEY: key,
    });
    expect(config.databaseUrl).toBe("postgres://u@127.0.0.1:5432/pledge");
    expect(config.bootstrapKey).toBe(key);
  });

  it("PLEDGE_PG_PREPARED: on by default, off on request, nothing else", () => {
    expect(loadConfig({ PLEDGE_PG_PREPARED: "off" }).pgPrepared).toBe(false);
    expect(loadConfig({ PLEDGE_PG_PREPARED: "on" }).pgPrepared).toBe(true);
    expect(problemsOf({ PLEDGE_PG_PREPARED: "yes" })).toEqual([
      'PLEDGE_PG_PREPARED: expected on or off, got "yes"',
    ]);
  });

  it("PLEDGE_TRUST_PROXY: off by default, a hop count, or proxy addresses", () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ PLEDGE_TRUST_PROXY: "off" }).trustProxy).toBe(false);
    expect(loadConfig({ PLEDGE_TRUST_PROXY: "2" }).trustProxy).toBe(2);
    expect(loadConfig({ PLEDGE_TRUST_PROXY: "10.0.0.1, 10.1.0.0/16,::1" }).trustProxy).toEqual([
      "10.0.0.1",
      "10.1.0.0/16",
      "::1",
    ]);
    for (const bad of ["0", "11", "yes", "10.0.0.1; rm"])
      expect(problemsOf({ PLEDGE_TRUST_PROXY: bad })[0]).toMatch(
        /^PLEDGE_TRUST_PROXY: expected off, a number/,
      );
  });
});
