import { appendAudit } from "../../audit/append.ts";
import { systemActing } from "../../use/acting.ts";
import { use, type UseScope } from "../../use/kernel.ts";
import { ok } from "../../use/refusal.ts";
import type { MailTransport } from "../messages/transport.ts";
import { authorityOf, type Instrument } from "./legal.ts";
import { dueNotices, findRequest } from "./legal.repository.ts";
import type { LegalDeps } from "./legal.service.ts";
import { serialRunner, type SerialRunner } from "../../jobs/serial.ts";

/**
 * The notice a person is owed when their data was produced to an authority: an essential email
 * (it cannot be unsubscribed from: the company tells everyone whose data it gave, unless a court
 * forbids it), sent once the production committed, or once the non-disclosure order ended. The
 * address is read through the gate (a `read` of `email` for the purpose productions are made under, as the
 * `legal-notices` job); it never reaches a log or the audit. A notice is claimed for `CLAIM_MS`
 * before it is sent (two runs, on one node or two, send it once) and marked sent after the relay
 * took it; one the relay refused is tried again once the claim lapses, up to `MAX_ATTEMPTS`.
 */
export const MAX_ATTEMPTS = 8;

/** How long a sender holds a notice it claimed: another run (this node's or another's) leaves it until then. */
const CLAIM_MS = 10 * 60_000;

const INSTRUMENT_WORDS: Readonly<Record<Instrument, string>> = {
  subpoena: "a subpoena",
  court_order: "a court order",
  warrant: "a warrant",
  emergency: "an emergency request",
  other: "a legal request",
};

/** Sends every notice due at the deps' clock; returns how many the relay took. */
export async function sendLegalNotices(deps: LegalDeps, transport: MailTransport): Promise<number> {
  const now = deps.clock();
  const due = await dueNotices(deps.db, now, MAX_ATTEMPTS);
  const { pack } = deps.policies.at(now.toISOString());
  const company = pack.name;
  // The address is read for the purpose productions are made under (the authority's).
  const purpose = authorityOf(pack)?.purpose;
  if (purpose === undefined) return 0;
  let sent = 0;
  for (const n of due) {
    const claimed = await deps.db
      .updateTable("legal_request_subjects")
      .set({
        notice_attempts: n.notice_attempts + 1,
        notice_claimed_until: new Date(now.getTime() + CLAIM_MS),
      })
      .where("request_id", "=", n.request_id)
      .where("subject_id", "=", n.subject_id)
      .where("notice_attempts", "=", n.notice_attempts)
      .where("notice_sent_at", "is", null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) continue;
    const request = await findRequest(deps.db, n.request_id);
    if (request === undefined) continue;
    const ask = { action: "read", purpose, fields: ["email"] } as const;
    const read = await use(
      deps,
      systemActing("legal-notices"),
      { subject: n.subject_id },
      ask,
      async (scope) => ok(scope.subject === null ? null : await emailOf(scope)),
    );
    const to = read.ok ? read.value : null;
    if (to === null || to === "") continue;
    const when = new Date(request.closed_at ?? request.received_at).toISOString().slice(0, 10);
    try {
      await transport.send({
        headerMessageId: `legal-${n.request_id}-${n.subject_id}`,
        to,
        subject: `${company}: we disclosed information about your account`,
        text: [
          `On ${when}, ${company} disclosed information about your account to ${request.authority} (${request.country}),`,
          `in answer to ${INSTRUMENT_WORDS[request.instrument as Instrument]} (reference ${request.reference}).`,
          `What was disclosed: ${request.fields.join(", ")}.`,
          "",
          "This is an essential message about your account, sent because the law or our privacy policy",
          "requires us to tell you; it cannot be unsubscribed from.",
        ].join("\n"),
      });
    } catch {
      continue; // stays due: tried again on the next run
    }
    const at = deps.clock();
    await deps.db.transaction().execute(async (trx) => {
      await trx
        .updateTable("legal_request_subjects")
        .set({ notice_sent_at: at })
        .where("request_id", "=", n.request_id)
        .where("subject_id", "=", n.subject_id)
        .execute();
      await appendAudit(trx, [
        {
          type: "legal.notice_sent",
          at,
          actor: "system:legal-notices",
          subjectId: n.subject_id,
          payload: { requestId: n.request_id },
        },
      ]);
    });
    sent += 1;
  }
  return sent;
}

/** The person's primary email, opened through the decision's view (null when none is on file). */
async function emailOf(scope: UseScope): Promise<string | null> {
  const row = await scope.trx
    .selectFrom("subject_identities")
    .select("value_enc")
    .where("subject_id", "=", scope.subject?.subjectId ?? "")
    .where("kind", "=", "email")
    .orderBy("is_primary", "desc")
    .orderBy("created_at")
    .executeTakeFirst();
  const view = await scope.view();
  return row === undefined || !view.allows("email")
    ? null
    : view.open("email", row.value_enc, "identity.email");
}

/**
 * One sender per node: `kick()` after a production commits and on the sweep; runs never overlap,
 * and a kick during a run makes one more run after it. `idle()` waits for the current run.
 */
export function legalNoticeSender(
  deps: LegalDeps,
  transport: MailTransport,
  onError: (error: unknown) => void,
): SerialRunner {
  return serialRunner(() => sendLegalNotices(deps, transport), onError);
}
