import { appendAudit } from "../../audit/append.ts";
import { auditActor, systemActing } from "../../use/acting.ts";
import { use } from "../../use/kernel.ts";
import { ok } from "../../use/refusal.ts";
import type { MailTransport } from "../messages/transport.ts";
import { markNoticeSent, unnoticedHolds, type HoldRow } from "./fraud.repository.ts";
import type { FraudDeps } from "./fraud.service.ts";
import { serialRunner, type SerialRunner } from "../../jobs/serial.ts";

const NOTIFIER = systemActing("fraud-notices");

/**
 * The customer's notice when their hold closes (released, rejected or expired), sent by email as
 * an essential message of the pack's fraud purpose. A closed hold whose `notice_sent_at` is null
 * owes one: the sender sends after the commit that closed it and again on the sweep until the
 * relay takes it. Each send is a `send` use through the gate (audited); the address is read in
 * that use and never reaches a log or the audit. Returns how many notices the relay took.
 */
export async function sendHoldNotices(
  deps: FraudDeps & { readonly transport: MailTransport },
): Promise<number> {
  let sent = 0;
  for (const row of await unnoticedHolds(deps.db, 100)) {
    const { pack } = deps.policies.at(deps.clock().toISOString());
    const fraud = pack.fraud;
    if (fraud === undefined) continue;
    const purpose = pack.purposes.find((p) => p.id === fraud.purpose);
    const messageClass = purpose?.message_classes?.find((c) => pack.messages.essential.includes(c));
    if (messageClass === undefined) continue;
    const ask = {
      action: "send",
      purpose: fraud.purpose,
      fields: ["email"],
      channel: "email",
      messageClass,
    } as const;
    const asked = await use(deps, NOTIFIER, { subject: row.subject_id }, ask, async (scope) => {
      const identity = await scope.trx
        .selectFrom("subject_identities")
        .select("value_enc")
        .where("subject_id", "=", row.subject_id)
        .where("kind", "=", "email")
        .orderBy("is_primary", "desc")
        .orderBy("created_at")
        .executeTakeFirst();
      return ok(
        identity === undefined
          ? null
          : (await scope.view()).open("email", identity.value_enc, "identity.email"),
      );
    });
    if (!asked.ok || asked.value === null) continue;
    try {
      await deps.transport.send({
        headerMessageId: `fraud-hold-${row.hold_id}-${row.status}`,
        to: asked.value,
        subject: subjectOf(pack.name, row),
        text: textOf(pack.name, row),
      });
    } catch {
      continue; // stays owed: the sweep tries again
    }
    const now = deps.clock();
    await deps.db.transaction().execute(async (trx) => {
      if (!(await markNoticeSent(trx, row.hold_id, now))) return;
      await appendAudit(trx, [
        {
          type: "fraud.notice_sent",
          at: now,
          actor: auditActor(NOTIFIER.actor),
          subjectId: row.subject_id,
          payload: { holdId: row.hold_id, status: row.status },
        },
      ]);
    });
    sent += 1;
  }
  return sent;
}

function subjectOf(company: string, row: HoldRow): string {
  return row.status === "released"
    ? `${company}: your account is verified`
    : `${company}: we could not verify your account`;
}

function textOf(company: string, row: HoldRow): string {
  const outcome =
    row.status === "released"
      ? [
          "Thank you for your patience. We have verified your account, and your order is going ahead:",
          "it will be charged and delivered as usual.",
        ]
      : row.status === "expired"
        ? [
            "Your first order was held for manual verification, and we could not verify it within the time",
            "our privacy policy allows. The order was cancelled and was not charged.",
          ]
        : [
            "Your first order was held for manual verification, and we could not verify it.",
            "The order was cancelled and was not charged.",
          ];
  return [
    ...outcome,
    "",
    `Reference: ${row.hold_id}`,
    "",
    `Why you receive this: ${company} checks a customer's first order against fraud, and this message tells`,
    "you the outcome for your account. It is an essential message about your account and your order, so",
    "there is no unsubscribe link: it is sent only when a verification of your account ends.",
  ].join("\n");
}

/**
 * One notice sender per node: `kick()` after a commit that closed a hold, and on the sweep. Runs
 * one at a time; a kick during a run makes one more run after it. `idle()` waits for the runs.
 */
export function holdNoticeSender(
  deps: FraudDeps & { readonly transport: MailTransport },
  onError: (error: unknown) => void,
): SerialRunner {
  return serialRunner(() => sendHoldNotices(deps), onError);
}
