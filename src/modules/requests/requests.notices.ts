import type { Kysely } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import type { Vault } from "../../crypto/vault.types.ts";
import type { Database } from "../../store/database.ts";
import type { PolicyLookup } from "../../use/kernel.ts";
import { essentialFooter, withFooter } from "../messages/footer.ts";
import type { MailTransport } from "../messages/transport.ts";
import { linkKey, tokenOf } from "./requests.links.ts";
import { openedValues } from "./requests.values.ts";
import type { RequestRow } from "./requests.transition.ts";
import { viewOf } from "./requests.view.ts";
import { serialRunner, type SerialRunner } from "../../jobs/serial.ts";

/**
 * The notices the law requires, sent by email as essential messages: the acknowledgement, the
 * link that verifies the address of a request made without an account, a request for more
 * information, an extension with its reason, the completion (with the download link of an access
 * package), a denial with its reason, a revocation. Each is a row of `request_notices` written
 * in the transaction of the move that owes it; the sender sends the rows after commit, and again
 * on its sweep until the relay takes them, so a notice is never lost to a relay that was down.
 * The address is the request's own (encrypted under its key); it never reaches a log or the audit.
 */
export interface NoticeDeps {
  readonly db: Kysely<Database>;
  readonly vault: Pick<Vault, "cipherFor">;
  readonly policies: PolicyLookup;
  readonly clock: () => Date;
  readonly transport: MailTransport;
  /** Where links point: PLEDGE_PUBLIC_URL. */
  readonly publicUrl: string;
}

/**
 * One sender per node: `kick()` after a commit that owed notices, and on the sweep. Sends run
 * one at a time, oldest notice first, so a person receives them in the order they were owed (the
 * acknowledgement before the completion); a kick during a run makes one more run after it.
 */
export function noticeSender(deps: NoticeDeps, onError: (error: unknown) => void): SerialRunner {
  return serialRunner(async () => {
    // More may be pending beyond one batch.
    while ((await sendNotices(deps)) > 0);
  }, onError);
}

/** A notice that failed this many times waits for an operator (it stays in the table). */
export const MAX_ATTEMPTS = 8;

/**
 * How long a sender holds a notice it claimed: long enough to talk to the relay, after which a
 * notice the relay refused (or whose sender died) is free for the next run, on any node.
 */
const CLAIM_MS = 10 * 60_000;

/** Sends the pending notices (of one request, or all); returns how many the relay took. */
export async function sendNotices(deps: NoticeDeps, requestId?: string): Promise<number> {
  let q = deps.db
    .selectFrom("request_notices as n")
    .innerJoin("rights_requests as r", "r.request_id", "n.request_id")
    .selectAll("r")
    .select(["n.notice_id", "n.kind as notice", "n.attempts"])
    .where("n.sent_at", "is", null)
    .where("n.attempts", "<", MAX_ATTEMPTS)
    .where((eb) => eb.or([eb("n.claimed_until", "is", null), eb("n.claimed_until", "<", deps.clock())]))
    .orderBy("n.notice_id")
    .limit(100);
  if (requestId !== undefined) q = q.where("n.request_id", "=", requestId);
  const pending = await q.execute();
  let sent = 0;
  for (const p of pending) {
    const { notice_id: noticeId, notice, attempts, ...row } = p;
    const opened = await openedValues(deps.db, deps.vault, row);
    const to = opened?.contact ?? null;
    // Claim the notice first, for CLAIM_MS: two nodes sending at once send it once.
    const claimed = await deps.db
      .updateTable("request_notices")
      .set({ attempts: attempts + 1, claimed_until: new Date(deps.clock().getTime() + CLAIM_MS) })
      .where("notice_id", "=", noticeId)
      .where("attempts", "=", attempts)
      .where("sent_at", "is", null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1 || to === null) continue;
    const pack = deps.policies.at(deps.clock().toISOString()).pack;
    const body = withFooter({ text: await textOf(deps, row, notice) }, essentialFooter(pack, NOTICE_REASON));
    try {
      await deps.transport.send({
        headerMessageId: `request-${row.request_id}-${noticeId}`,
        to,
        subject: subjectOf(deps, row, notice),
        text: body.text,
        html: body.html,
      });
    } catch {
      continue; // stays pending: a run after the claim lapses tries again
    }
    const now = deps.clock();
    await deps.db.transaction().execute(async (trx) => {
      await trx
        .updateTable("request_notices")
        .set({ sent_at: now })
        .where("notice_id", "=", noticeId)
        .execute();
      await appendAudit(trx, [
        {
          type: "request.notice_sent",
          at: now,
          actor: "system:request-notices",
          subjectId: row.subject_id,
          payload: { requestId: row.request_id, notice },
        },
      ]);
    });
    sent += 1;
  }
  return sent;
}

/** Why a notice reached the person; the pack's essential notice then says why it cannot be stopped. */
const NOTICE_REASON =
  "You receive this message because a privacy request was made with this email address, and the law requires us to answer it.";

const KIND_WORDS: Readonly<Record<string, string>> = {
  access: "a copy of your personal information",
  portable_export: "a portable copy of your personal information",
  correction: "a correction of your personal information",
  deletion: "the deletion of your personal information",
  opt_out_sale: "an opt-out of the sale of your personal information",
  opt_out_sharing: "an opt-out of the sharing of your personal information",
  opt_out_channel: "an opt-out of marketing on one channel",
  opt_out_catalogues: "no more catalogues",
  limit_sensitive: "a limit on the use of your sensitive personal information",
  disclosure_report: "the list of third parties your information was disclosed to",
  list_removal: "removal from our lists",
  complaint: "a privacy complaint",
};

function subjectOf(deps: NoticeDeps, row: RequestRow, notice: string): string {
  const name = deps.policies.at(deps.clock().toISOString()).pack.name;
  switch (notice) {
    case "verify":
      return `${name}: confirm your privacy request`;
    case "acknowledgement":
      return `${name}: we received your privacy request`;
    case "more_information":
      return `${name}: we need more information for your privacy request`;
    case "extension":
      return `${name}: your privacy request needs more time`;
    case "completion":
      return `${name}: your privacy request is complete`;
    case "denial":
      return `${name}: we cannot complete your privacy request`;
    default:
      return `${name}: your privacy request (${row.request_id})`;
  }
}

const DENIALS: Readonly<Record<string, string>> = {
  suspected_fraud: "the request appears not to come from the person it is about",
  insuf_verification: "we could not verify your identity",
  no_match: "we hold no personal information under the details given",
  claim_not_covered: "the law, or our policy, does not provide for this request",
  outside_jurisdiction: "the law under which the request was made does not apply to us",
  too_many_requests: "the same request was made too often in a short time",
  legal_hold: "the law requires us to keep this information for now",
  other: "of the reason given by our privacy team",
};

async function textOf(deps: NoticeDeps, row: RequestRow, notice: string): Promise<string> {
  const now = deps.clock();
  const pack = deps.policies.at(now.toISOString()).pack;
  const view = viewOf(pack, row, now);
  const what = KIND_WORDS[row.kind] ?? row.kind;
  const ref = `Reference: ${row.request_id}`;
  const link = async (purpose: "verify" | "download", path: string) => {
    const l = await deps.db
      .selectFrom("request_links")
      .select("link_id")
      .where("request_id", "=", row.request_id)
      .where("purpose", "=", purpose)
      .orderBy("expires_at", "desc")
      .executeTakeFirst();
    return l === undefined ? null : `${deps.publicUrl}${path}${tokenOf(await linkKey(deps.db), l.link_id)}`;
  };
  switch (notice) {
    case "verify": {
      const url = await link("verify", "/requests/verify/");
      if (url === null) {
        return [
          `To go on with your request for ${what}, we need to confirm your identity. Please reply to this message.`,
          ref,
        ].join("\n\n");
      }
      return [
        `You, or someone using this address, asked ${pack.name} for ${what}.`,
        "To confirm that this address is yours, open this link within 24 hours:",
        url,
        "If you did not ask, ignore this message: nothing happens without the link.",
        ref,
      ].join("\n\n");
    }
    case "acknowledgement":
      return [
        `We received your request for ${what} on ${view.receivedAt.slice(0, 10)}.`,
        view.dueDate === null ? "" : `We will answer by ${view.dueDate}.`,
        ref,
      ].join("\n\n");
    case "more_information":
      return [
        `To go on with your request for ${what}, we need more information from you. Please reply to this message.`,
        ref,
      ].join("\n\n");
    case "extension":
      return [
        `We need more time for your request for ${what}, because: ${row.extension_reason ?? ""}`,
        view.dueDate === null ? "" : `We will answer by ${view.dueDate}.`,
        ref,
      ].join("\n\n");
    case "completion": {
      const download =
        row.kind === "access" || row.kind === "portable_export" || row.kind === "disclosure_report"
          ? await link("download", "/v1/requests/download/")
          : null;
      const result = row.result === null ? {} : (JSON.parse(row.result) as { kept?: string[] });
      return [
        `Your request for ${what} is complete.`,
        download === null ? "" : `Download your data within 7 days: ${download}`,
        (result.kept ?? []).length === 0
          ? ""
          : `Kept because the law requires it:\n${(result.kept ?? []).join("\n")}`,
        ref,
      ]
        .filter((l) => l !== "")
        .join("\n\n");
    }
    case "denial":
      return [
        `We cannot complete your request for ${what}, because ${DENIALS[row.denial_reason ?? "other"] ?? "of the reason given"}.`,
        "You may reply to this message, or complain to the authority that oversees privacy where you live.",
        ref,
      ].join("\n\n");
    case "revoked":
      return [`Your request for ${what} was withdrawn, as asked. Nothing more will be done.`, ref].join(
        "\n\n",
      );
    default:
      return ref;
  }
}
