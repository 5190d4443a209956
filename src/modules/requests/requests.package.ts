import { strToU8, zipSync } from "fflate";
import type { Transaction } from "kysely";
import type { Database } from "../../store/database.ts";
import { PledgeError } from "../../errors.ts";
import { yearAt } from "../../policy/calendar.ts";
import { appendAudit } from "../../audit/append.ts";
import { customerActing } from "../../use/acting.ts";
import { unwrap } from "../../use/refusal.ts";
import { recipientNames, shineTheLightFor } from "../disclosures/disclosures.service.ts";
import { csvLine } from "../exports/format.ts";
import { exportOwnRecord } from "../subjects/export.ts";
import { checkLink, linkKey } from "./requests.links.ts";
import type { RequestsDeps } from "./requests.deps.ts";
import type { RequestRow } from "./requests.transition.ts";

/**
 * The package a fulfilled access request downloads: one ZIP holding the same data twice, as JSON
 * (`data.json`, the whole structure) and as CSV (`data.csv`, one row per value: section, path,
 * value), and a README saying what it is, what the law kept and where it came from. It is made
 * when the link is used, from the record as it is then, as the person's own access (ALL-04):
 * nothing personal is stored to be downloaded later. The link opens one person's data only.
 */
export interface Package {
  readonly filename: string;
  readonly bytes: Uint8Array;
}

/** The package of the request a completion email's link opens (until the link expires). */
export async function downloadPackage(deps: RequestsDeps, token: string): Promise<Package> {
  const now = deps.clock();
  const key = await linkKey(deps.db);
  const row = await deps.db.transaction().execute(async (trx) => {
    const link = await checkLink(key, trx, token, "download", now);
    if (!link.ok) throw new PledgeError("PLEDGE_REQUEST_LINK_INVALID", `the download link is ${link.why}`);
    const r = await trx
      .selectFrom("rights_requests")
      .selectAll()
      .where("request_id", "=", link.requestId)
      .executeTakeFirst();
    if (r === undefined || r.subject_id === null || r.state !== "fulfilled") {
      throw new PledgeError("PLEDGE_REQUEST_LINK_INVALID", "the download link opens nothing now");
    }
    await downloaded(trx, r, now);
    return r;
  });
  return packageOf(deps, row, now);
}

/**
 * The package of a signed-in customer's own fulfilled access, portable export or disclosure
 * report request (the session proves who they are; no link is needed). Any other request, or one
 * of someone else, is PLEDGE_NOT_FOUND.
 */
export async function downloadOwnPackage(
  deps: RequestsDeps,
  subjectId: string,
  requestId: string,
): Promise<Package> {
  const now = deps.clock();
  const row = await deps.db.transaction().execute(async (trx) => {
    const r = await trx
      .selectFrom("rights_requests")
      .selectAll()
      .where("request_id", "=", requestId)
      .where("subject_id", "=", subjectId)
      .where("state", "=", "fulfilled")
      .where("kind", "in", PACKAGED)
      .executeTakeFirst();
    if (r === undefined) {
      throw new PledgeError("PLEDGE_NOT_FOUND", "no fulfilled access request of yours with this id");
    }
    await downloaded(trx, r, now);
    return r;
  });
  return packageOf(deps, row, now);
}

/** The kinds whose fulfilment is a data package. */
const PACKAGED = ["access", "portable_export", "disclosure_report"] as const;

async function downloaded(trx: Transaction<Database>, row: RequestRow, now: Date): Promise<void> {
  await appendAudit(trx, [
    {
      type: "request.downloaded",
      at: now,
      actor: `customer:${row.subject_id}`,
      subjectId: row.subject_id,
      payload: { requestId: row.request_id },
    },
  ]);
}

async function packageOf(deps: RequestsDeps, row: RequestRow, now: Date): Promise<Package> {
  const subjectId = row.subject_id!;
  const pack = deps.policies.at(now.toISOString()).pack;
  let data: unknown;
  if (row.kind === "disclosure_report") {
    const purpose = pack.requests?.self_service?.purpose;
    if (purpose === undefined)
      throw new PledgeError("PLEDGE_NOT_FOUND", "this policy offers no self-service reports");
    const year = yearAt(now, pack.time_zone) - 1;
    data = unwrap(
      await shineTheLightFor(
        deps,
        customerActing(subjectId),
        { subjectId, year, purpose },
        recipientNames(pack),
      ),
    );
  } else {
    data = unwrap(await exportOwnRecord(deps, subjectId));
  }
  const result = row.result === null ? {} : (JSON.parse(row.result) as Record<string, unknown>);
  const readme = [
    `${pack.name}: the data package of request ${row.request_id} (${row.kind}).`,
    `Made ${now.toISOString()} under policy ${pack.company} ${pack.version}.`,
    "",
    "data.json holds everything, as structured data; data.csv holds the same values, one per row",
    "(section, path, value). Each value carries where and when it was collected, for which purpose.",
    ...(Array.isArray(result.kept) && result.kept.length > 0
      ? ["", "Kept because the law requires it:", ...result.kept.map(String)]
      : []),
  ].join("\n");
  const bytes = zipSync({
    "README.txt": strToU8(`${readme}\n`),
    "data.json": strToU8(`${JSON.stringify(data, null, 2)}\n`),
    "data.csv": strToU8(csvOf(data)),
  });
  return { filename: `request-${row.request_id}.zip`, bytes };
}

/** One row per leaf value: its top-level section, its JSON path within it, the value as text. */
export function csvOf(data: unknown): string {
  let out = csvLine(["section", "path", "value"]);
  const walk = (section: string, path: string, v: unknown): void => {
    if (v !== null && typeof v === "object") {
      const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
      for (const [k, x] of entries) walk(section, path === "" ? k : `${path}.${k}`, x);
      return;
    }
    out += csvLine([section, path, v === null || v === undefined ? "" : String(v)]);
  };
  if (data !== null && typeof data === "object" && !Array.isArray(data)) {
    for (const [k, v] of Object.entries(data)) walk(k, "", v);
  } else walk("", "", data);
  return out;
}
