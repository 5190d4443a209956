import { openConfiguredVault } from "../crypto/configured.ts";
import { VaultError } from "../crypto/errors.ts";
import type { Vault } from "../crypto/vault.types.ts";
import type { FastifyInstance } from "fastify";
import {
  ensureDataDir,
  openConfiguredStore,
  loadConfiguredPolicies,
  prepareSchema,
  StartError,
} from "../app.ts";
import { publicKeyFileFor, readPublicKey } from "../audit/keys.ts";
import { createAuditWriter } from "../audit/writer.ts";
import { residencyProblem } from "../policy/residency.ts";
import { ConfigError, loadConfig, type Config } from "../config.ts";
import { createApp } from "../http/app.ts";
import { createLogger } from "../http/logger.ts";
import { anyKeys, bootstrapAdmin } from "../modules/staff/staff.service.ts";
import { invite } from "../modules/staff/signin.ts";
import { PolicyError } from "../policy/errors.ts";
import { inForce, type PolicyHistory } from "../policy/history.ts";
import { dataPaths } from "../store/options.ts";
import type { Store } from "../store/store.ts";
import { usageFailure } from "./args.ts";
import type { Io } from "./io.ts";

export const SERVE_USAGE = `usage: pledge serve

Runs the HTTP API. It takes no arguments: environment variables configure it (PLEDGE_PORT,
DATABASE_URL, PLEDGE_POLICY…; see docs/configuration.md). On a store without any API key it makes
an admin key (printed once on the embedded store). SIGINT or SIGTERM stops it gracefully.`;

/**
 * `pledge serve`: configuration → policy → residency (ZM-11) → store and schema → bootstrap key →
 * listen. Resolves with the exit code after SIGINT/SIGTERM: the server stops accepting, requests
 * in flight finish, the audit writer flushes, the store closes. A second signal exits at once.
 */
export async function serveCommand(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (argv.length > 0) {
    return usageFailure(
      io,
      "serve",
      `unexpected argument ${JSON.stringify(argv[0])}: pledge serve is configured by environment variables (docs/configuration.md)`,
    );
  }
  let config: Config;
  let policies: PolicyHistory;
  let vault: Vault;
  try {
    config = loadConfig(env);
    policies = await loadConfiguredPolicies(config);
    const problem = residencyProblem(inForce(policies, new Date().toISOString()), config.region);
    if (problem) throw new StartError(problem);
    ensureDataDir(config);
    vault = openConfiguredVault(env, config, (message) => io.err(`Pledge: ${message}`));
    for (const warning of mailWarnings(config)) io.err(`Pledge: warning: ${warning}`);
  } catch (error) {
    return failed(io, error);
  }

  let store: Store;
  try {
    store = await openConfiguredStore(config);
  } catch (error) {
    return failed(io, error);
  }
  const audit = createAuditWriter(store.db);
  const shutdown = async (app?: FastifyInstance): Promise<void> => {
    await app?.close();
    await audit.close();
    await store.close();
  };

  let app: FastifyInstance;
  try {
    const schema = await prepareSchema(store);
    if (schema === "migrated") io.out(`Pledge: created the embedded store in ${config.dataDir}`);
    await bootstrap(store, policies, config, vault, io);
    app = await createApp({
      config,
      store,
      policies,
      audit,
      vault,
      auditPublicKey: readPublicKey(publicKeyFileFor(dataPaths(env).auditKeyFile)),
      clock: () => new Date(),
      logger: createLogger(config.logLevel),
      scheduleRetention: true,
    });
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await shutdown().catch(() => undefined);
    return failed(io, error);
  }

  const pack = inForce(policies, new Date().toISOString());
  const urls = app
    .addresses()
    .map((a) =>
      typeof a === "string" ? a : `http://${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}`,
    );
  io.out(`Pledge ${pack.company} ${pack.version} listening on ${urls.join(", ")}`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        io.err(`Pledge: ${signal} again, exiting now`);
        process.exit(1);
      }
      stopping = true;
      io.out(`Pledge: ${signal}, shutting down`);
      shutdown(app).then(
        () => resolve(0),
        (error: unknown) => resolve(failed(io, error)),
      );
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

/**
 * A store without any API key gets an admin: with PLEDGE_BOOTSTRAP_KEY, that key; otherwise, on
 * the embedded store, a new key printed once to the console (never to the log).
 */
async function bootstrap(
  store: Store,
  policies: PolicyHistory,
  config: Config,
  vault: Vault,
  io: Io,
): Promise<void> {
  const now = new Date();
  const pack = inForce(policies, now.toISOString());
  const ctx = { actor: "system", now };
  if (config.bootstrapKey !== null) {
    const made = await bootstrapAdmin(store.db, pack, ctx, config.bootstrapKey);
    if (made) io.out("Pledge: created the admin API key given in PLEDGE_BOOTSTRAP_KEY");
    return;
  }
  if (store.kind !== "pglite") {
    if (!(await anyKeys(store.db))) {
      io.err(
        "Pledge: no API key exists yet. Make an admin key (printed once) with\n" +
          "  pledge staff key $(pledge staff add --name Admin --role admin)\n" +
          "or set PLEDGE_BOOTSTRAP_KEY",
      );
    }
    return;
  }
  const made = await bootstrapAdmin(store.db, pack, ctx);
  if (made) {
    const invitation = await invite(
      { db: store.db, vault, clock: () => now },
      made.staff.id,
      "admin",
      "system",
    );
    io.out(
      [
        "",
        "  An admin API key was created for this store. It is shown once and never again:",
        "",
        `    ${made.key}`,
        "",
        "  Use it as `Authorization: Bearer <key>`. Keep it secret.",
        "",
        "  The admin can also sign in to the console: open /console/setup with the username admin",
        `  and the set-up code ${invitation.setupCode} (good for 72 hours, once).`,
        "",
      ].join("\n"),
    );
  }
}

/**
 * What is likely wrong with the mail settings though they are valid: with an SMTP relay set, every
 * marketing email carries an unsubscribe link under PLEDGE_PUBLIC_URL, which must be reachable by
 * recipients (not localhost) and https (RFC 8058 one-click unsubscribe needs it).
 */
export function mailWarnings(config: Config): string[] {
  if (config.mail.smtpUrl === null) return [];
  const url = config.mail.publicUrl;
  let host = "";
  try {
    host = new URL(url).hostname;
  } catch {
    // validated as an http(s) URL already; an unparsable host is reported below as not https
  }
  const local = host === "localhost" || host.endsWith(".localhost") || /^(127\.|\[?::1\]?$)/.test(host);
  const problems = [
    ...(url.startsWith("https://") ? [] : ["is not https"]),
    ...(local ? ["points at this machine"] : []),
  ];
  if (problems.length === 0) return [];
  return [
    `email is configured (PLEDGE_SMTP_URL) but PLEDGE_PUBLIC_URL ${url} ${problems.join(" and ")}: ` +
      "the unsubscribe links in every marketing email use it, so recipients could not unsubscribe " +
      "with one click. Set PLEDGE_PUBLIC_URL to the https address Pledge is reached at from the internet",
  ];
}

function failed(io: Io, error: unknown): number {
  if (
    error instanceof ConfigError ||
    error instanceof StartError ||
    error instanceof PolicyError ||
    error instanceof VaultError
  ) {
    io.err(`pledge serve: ${error.message}`);
    return 1;
  }
  io.err(`pledge serve: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return 1;
}
