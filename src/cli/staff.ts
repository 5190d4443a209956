import { parseArgs } from "node:util";
import { loadConfiguredPolicies, openConfiguredStore, prepareSchema, StartError } from "../app.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { PledgeError } from "../errors.ts";
import { PolicyError } from "../policy/errors.ts";
import { inForce } from "../policy/history.ts";
import { createKey, createStaff, recordAttestation, revokeKey } from "../modules/staff/staff.service.ts";
import type { Io } from "./io.ts";

const USAGE = `usage:
  pledge staff add --name NAME --role ROLE [--attested]   add a staff member (ROLE: a pack staff role or admin)
  pledge staff attest STAFF_ID                             record the confidentiality attestation
  pledge staff key STAFF_ID                                make an API key (printed once; its id on stderr)
  pledge staff revoke KEY_ID                               revoke an API key`;

/**
 * `pledge staff`: the same services as /v1/staff, without HTTP. Opens the configured store, so on
 * the embedded store it cannot run while `pledge serve` holds the same data directory.
 */
export async function staffCommand(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [sub, ...rest] = argv;
  let args: ReturnType<typeof parse>;
  try {
    args = parse(rest);
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const id = args.positionals[0];
  const valid =
    (sub === "add" &&
      args.positionals.length === 0 &&
      args.values.name !== undefined &&
      args.values.role !== undefined) ||
    ((sub === "attest" || sub === "key" || sub === "revoke") && args.positionals.length === 1);
  if (!valid) {
    io.err(USAGE);
    return 2;
  }

  try {
    const config = loadConfig(env);
    const policies = await loadConfiguredPolicies(config);
    const store = await openConfiguredStore(config);
    try {
      await prepareSchema(store);
      const now = new Date();
      const ctx = { actor: "system", now };
      if (sub === "add") {
        const pack = inForce(policies, now.toISOString());
        const input = {
          displayName: args.values.name ?? "",
          role: args.values.role ?? "",
          attested: args.values.attested ?? false,
        };
        const staff = await createStaff(store.db, pack, input, ctx);
        io.out(staff.id);
      } else if (sub === "attest") {
        const staff = await recordAttestation(store.db, id ?? "", ctx);
        io.out(`attested ${staff.id} at ${staff.attestedAt?.toISOString() ?? "?"}`);
      } else if (sub === "key") {
        const { key, record } = await createKey(store.db, id ?? "", ctx);
        io.out(key);
        io.err(`key id ${record.id} (shown once; revoke with: pledge staff revoke ${record.id})`);
      } else {
        const record = await revokeKey(store.db, id ?? "", ctx);
        io.out(`revoked ${record.id} at ${record.revokedAt?.toISOString() ?? "?"}`);
      }
      return 0;
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

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: "string" }, role: { type: "string" }, attested: { type: "boolean" } },
  });
}
