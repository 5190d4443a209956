import { parseArgs } from "node:util";
import { appendAudit } from "../audit/append.ts";
import { canonicalJson } from "../audit/hash.ts";
import { auditLogFilter, auditReadEvent, presentAuditEvent, readAuditLog } from "../audit/log.read.ts";
import { PledgeError } from "../errors.ts";
import type { Io } from "./io.ts";
import { withStore } from "./with-store.ts";

export const LOG_USAGE = `  pledge audit log [--subject ID] [--actor ACTOR] [--type TYPE] [--since TIME] [--until TIME]
                   [--limit N] [--json]                         the events that match, oldest first, one per line`;

const MAX_LIMIT = 10_000;
const DEFAULT_LIMIT = 1_000;

/** The flag each member of the filter comes from, for messages. */
const FLAGS = { subjectId: "--subject", actor: "--actor", type: "--type", from: "--since", to: "--until" };

/**
 * `pledge audit log`: the events matching every flag given, oldest first, at most `--limit`
 * (default 1000, at most 10000), one line each: `<chain>.<seq> <at> <type> <actor> <subject or -> <payload
 * JSON>`; with `--json`, one JSON object per line, the fields GET /v1/audit/events returns. The
 * read is recorded in the log as an `audit.read` event (actor `system:cli`) before anything is
 * printed. Exit 0, or 2 for a bad flag, naming it.
 */
export async function auditLogCommand(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        subject: { type: "string" },
        actor: { type: "string" },
        type: { type: "string" },
        since: { type: "string" },
        until: { type: "string" },
        limit: { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    }));
  } catch (error) {
    io.err(`pledge audit log: ${(error as Error).message}\nusage:\n${LOG_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(
      `usage:\n${LOG_USAGE}\n\nTIME is ISO 8601 with a UTC offset (2026-12-01T09:00:00Z); --since is inclusive, --until exclusive.`,
    );
    return 0;
  }
  let filter;
  try {
    filter = auditLogFilter(
      {
        subjectId: values.subject,
        actor: values.actor,
        type: values.type,
        from: values.since,
        to: values.until,
      },
      FLAGS,
    );
  } catch (error) {
    if (!(error instanceof PledgeError)) throw error;
    io.err(`pledge audit log: ${error.detail}`);
    return 2;
  }
  const limit = values.limit === undefined ? DEFAULT_LIMIT : Number(values.limit);
  if (!/^[1-9][0-9]*$/.test(values.limit ?? "1") || limit > MAX_LIMIT) {
    io.err(`pledge audit log: --limit is not a whole number from 1 to ${MAX_LIMIT}`);
    return 2;
  }

  return withStore(io, env, "log", async (db) => {
    const rows = await readAuditLog(db, filter, { after: null, limit: limit + 1 });
    const shown = rows.slice(0, limit);
    const read = auditReadEvent(filter, shown.length, { actor: "system:cli", at: new Date(), via: "cli" });
    await db.transaction().execute((trx) => appendAudit(trx, [read]));
    for (const row of shown) {
      io.out(
        values.json
          ? JSON.stringify(presentAuditEvent(row))
          : [
              `${row.chain}.${row.seq}`,
              row.at.toISOString(),
              row.type,
              row.actor,
              row.subjectId ?? "-",
              canonicalJson(row.payload),
            ].join(" "),
      );
    }
    if (rows.length > limit)
      io.err(`more events match: narrow the filters, or raise --limit (at most ${MAX_LIMIT})`);
    return 0;
  });
}
