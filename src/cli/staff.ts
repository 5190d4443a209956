import { loadConfiguredPolicies, openConfiguredStore, prepareSchema, StartError } from "../app.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { PledgeError } from "../errors.ts";
import { PolicyError } from "../policy/errors.ts";
import { inForce } from "../policy/history.ts";
import {
  createKey,
  createStaff,
  listKeys,
  listStaff,
  recordAttestation,
  revokeKey,
} from "../modules/staff/staff.service.ts";
import type { ApiKeyRecord, StaffMember } from "../modules/staff/staff.ts";
import { invite } from "../modules/staff/signin.ts";
import { openConfiguredVault } from "../crypto/configured.ts";
import { parseCommandLine, UsageError, usageFailure } from "./args.ts";
import type { Io } from "./io.ts";

export const STAFF_USAGE = `usage:
  pledge staff add --name NAME --role ROLE [--attested]   add a staff member; prints its id
                                                          (ROLE: a staff role of the pack, or admin)
  pledge staff list                                        every staff member: id, role, attested, created, name
  pledge staff attest STAFF_ID                             record the confidentiality attestation
  pledge staff key STAFF_ID                                make an API key (printed once; its id on stderr)
  pledge staff keys STAFF_ID                               a staff member's keys: id, prefix, created,
                                                          last used, revoked (never the key itself)
  pledge staff revoke KEY_ID                               revoke an API key
  pledge staff invite STAFF_ID --username NAME             invite to the console: prints a set-up code
                                                          (once; good for 72 hours) for /console/setup

On the embedded store, stop \`pledge serve\` first (or use the HTTP API while it runs).`;

type Invocation =
  | { sub: "add"; name: string; role: string; attested: boolean }
  | { sub: "list" }
  | { sub: "attest" | "key" | "keys"; staffId: string }
  | { sub: "revoke"; keyId: string }
  | { sub: "invite"; staffId: string; username: string };

/**
 * `pledge staff`: the same services as /v1/staff, without HTTP. Opens the configured store, so on
 * the embedded store it is refused while `pledge serve` holds the same data directory.
 */
export async function staffCommand(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (argv.length === 0) {
    io.err(STAFF_USAGE);
    return 2;
  }
  let inv: Invocation;
  try {
    inv = readInvocation(argv);
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, "staff", error.message);
    throw error;
  }

  try {
    const config = loadConfig(env);
    const policies = await loadConfiguredPolicies(config);
    const store = await openConfiguredStore(config);
    try {
      await prepareSchema(store);
      const now = new Date();
      const ctx = { actor: "system", now };
      switch (inv.sub) {
        case "add": {
          const pack = inForce(policies, now.toISOString());
          const input = { displayName: inv.name, role: inv.role, attested: inv.attested };
          io.out((await createStaff(store.db, pack, input, ctx)).id);
          return 0;
        }
        case "list":
          for await (const s of everyPage((after) => listStaff(store.db, { limit: 200, after }))) {
            io.out(staffLine(s));
          }
          return 0;
        case "attest": {
          const staff = await recordAttestation(store.db, inv.staffId, ctx);
          io.out(`attested ${staff.id} at ${staff.attestedAt?.toISOString() ?? "?"}`);
          return 0;
        }
        case "key": {
          const { key, record } = await createKey(store.db, inv.staffId, ctx);
          io.out(key);
          io.err(`key id ${record.id} (shown once; revoke with: pledge staff revoke ${record.id})`);
          return 0;
        }
        case "keys":
          for await (const k of everyPage((after) =>
            listKeys(store.db, inv.staffId, { limit: 200, after }),
          )) {
            io.out(keyLine(k));
          }
          return 0;
        case "revoke": {
          const record = await revokeKey(store.db, inv.keyId, ctx);
          io.out(`revoked ${record.id} at ${record.revokedAt?.toISOString() ?? "?"}`);
          return 0;
        }
        case "invite": {
          const vault = openConfiguredVault(env, config, (m) => io.err(`Pledge: ${m}`));
          const made = await invite(
            { db: store.db, vault, clock: () => now },
            inv.staffId,
            inv.username,
            "system",
          );
          io.out(made.setupCode);
          io.err(
            `set-up code for ${made.username}, good until ${made.expiresAt.toISOString()}: open /console/setup`,
          );
          return 0;
        }
        default: {
          const unknown: never = inv;
          throw new Error(`unhandled staff subcommand ${JSON.stringify(unknown)}`);
        }
      }
    } finally {
      await store.close();
    }
  } catch (error) {
    if (
      error instanceof ConfigError ||
      error instanceof StartError ||
      error instanceof PolicyError ||
      error instanceof PledgeError
    ) {
      io.err(`pledge staff: ${error instanceof PledgeError ? error.detail : error.message}`);
      return 1;
    }
    throw error;
  }
}

function readInvocation(argv: readonly string[]): Invocation {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseCommandLine(rest, {
    name: { type: "string" },
    role: { type: "string" },
    attested: { type: "boolean" },
    username: { type: "string" },
  });
  const flags = Object.keys(values).filter((f) => !(sub === "invite" && f === "username"));
  const noFlags = (): void => {
    if (flags.length > 0) throw new UsageError(`--${flags[0]} is not an option of staff ${sub}`);
  };
  const ids = (what: string, n: number): string[] => {
    noFlags();
    if (positionals.length < n) throw new UsageError(`staff ${sub} needs a ${what}`);
    if (positionals.length > n) throw new UsageError(`unexpected argument ${positionals[n]}`);
    if (n > 0 && !UUID.test(positionals[0] ?? "")) {
      throw new UsageError(
        `${what}: expected an id such as 3f0c1a9e-…, got ${JSON.stringify(positionals[0])}`,
      );
    }
    return positionals;
  };
  switch (sub) {
    case "add":
      if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
      if (!values.name?.trim()) throw new UsageError("staff add needs --name NAME");
      if (!values.role) throw new UsageError("staff add needs --role ROLE");
      return { sub, name: values.name.trim(), role: values.role, attested: values.attested ?? false };
    case "list":
      ids("", 0);
      return { sub };
    case "attest":
    case "key":
    case "keys":
      return { sub, staffId: ids("STAFF_ID", 1)[0]! };
    case "revoke":
      return { sub, keyId: ids("KEY_ID", 1)[0]! };
    case "invite": {
      const staffId = ids("STAFF_ID", 1)[0]!;
      if (!values.username?.trim()) throw new UsageError("staff invite needs --username NAME");
      return { sub, staffId, username: values.username.trim() };
    }
    case undefined:
    default:
      throw new UsageError(`unknown subcommand ${JSON.stringify(sub)}`);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every item of a keyset-paged list, page after page. */
async function* everyPage<T extends { id: string; createdAt: Date }>(
  page: (after: { createdAt: string; id: string } | null) => Promise<T[]>,
): AsyncGenerator<T> {
  let after: { createdAt: string; id: string } | null = null;
  for (;;) {
    const rows = await page(after);
    yield* rows;
    const last = rows.at(-1);
    if (last === undefined) return;
    after = { createdAt: last.createdAt.toISOString(), id: last.id };
  }
}

const when = (d: Date | null): string => d?.toISOString() ?? "-";

/** id, role, attested, created, then the name last (it may hold spaces): tab-separated. */
function staffLine(s: StaffMember): string {
  return [s.id, s.role, when(s.attestedAt), when(s.createdAt), s.displayName].join("\t");
}

/** id, prefix, created, last used, revoked: tab-separated. Never the key or its hash. */
function keyLine(k: ApiKeyRecord): string {
  return [k.id, `pk_${k.prefix}_…`, when(k.createdAt), when(k.lastUsedAt), when(k.revokedAt)].join("\t");
}
