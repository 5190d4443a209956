import { sql, type Kysely } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import type { AuditEvent } from "../../audit/audit.events.ts";
import type { MailConfig } from "../../config.ts";
import type { Vault } from "../../crypto/vault.types.ts";
import type { Database } from "../../store/database.ts";
import { auditActor, systemActing } from "../../use/acting.ts";
import { use, type UseDeps, type UseScope } from "../../use/kernel.ts";
import { clausesOf, ok } from "../../use/refusal.ts";
import { essentialFooter, essentialReason, marketingFooter, withFooter } from "../messages/footer.ts";
import { messageIdDomain, TransportError, type MailTransport } from "../messages/transport.ts";
import { evaluateGuard, lockCampaign } from "./guard.ts";
import { moveCampaign } from "./transition.ts";
import "./campaigns.events.ts";
import { channelField, MAX_ATTEMPTS, refOf, type MessageRef } from "./campaigns.ts";
import { headerLocalPart, messageIdKey } from "./message-id.ts";
import type { CampaignsTable } from "./campaigns.table.ts";

/**
 * The send side of the outbox: one message at a time, exactly once per person.
 *
 *  1. claim: `queued` → `sending`, attempts + 1, committed BEFORE the SMTP exchange, only while
 *     the campaign is `sending` (a stopped or cancelled campaign sends nothing more);
 *  2. the gate again, with the person's facts now: someone who opted out or was suppressed after
 *     the audience was drawn is `skipped`, with the reason's code and clause;
 *  3. the address, decrypted in memory only; unsubscribe links on every marketing email, and a
 *     foot rendered from the pack on every email (messages/footer.ts), in a text and an HTML part;
 *  4. SMTP; then at once `sent` (one UPDATE and its audit row): the only window in which a crash
 *     leaves the outcome unknown is between the relay's 250 and this commit;
 *  5. a temporary refusal or a dropped session puts the message back to `queued` (the job is
 *     retried with backoff); a permanent one (5xx) makes it `failed`.
 * A message a crash left in `sending` is marked `uncertain` when its node is known to be gone
 * (recoverOrphans) and is never sent again without a staff decision.
 */
export type UnsubscribeLinks = (
  db: Kysely<Database>,
  mail: MailConfig,
  target: { subjectId: string; campaignId: string; channel: "email"; purpose: string; topic: string | null },
) => Promise<{ url: string; mailto: string }>;

export interface SendDeps extends UseDeps {
  readonly vault: Vault;
  readonly transport: MailTransport;
  readonly mail: MailConfig;
  readonly links: UnsubscribeLinks;
  readonly clock: () => Date;
  readonly region: string;
  /** This node's id: written on the messages it claims. */
  readonly nodeId: string;
}

export type SendOutcome = "sent" | "skipped" | "failed" | "retry" | "not_claimed";

/** Pledge's send worker, as the kernel's actor and the audit log's. */
const SENDER = systemActing("campaign-sender");
const SYSTEM = auditActor(SENDER.actor);

/**
 * Sends one queued message. Named with its person (a `MessageRef`), the claim is a primary-key
 * update on the person's shard; a bare message id (a job queued before refs) is looked for
 * everywhere.
 */
export async function sendMessage(
  deps: SendDeps,
  ref: { readonly messageId: string; readonly subjectId?: string },
): Promise<SendOutcome> {
  const { db } = deps;
  const person = ref.subjectId === undefined ? sql`` : sql`m.subject_id = ${ref.subjectId} and`;
  const claimed = await sql<ClaimedRow>`
    update campaign_messages m
       set state = 'sending', attempts = m.attempts + 1, claimed_by = ${deps.nodeId}
      from campaigns c
     where ${person} m.message_id = ${ref.messageId} and m.state = 'queued'
       and c.campaign_id = m.campaign_id and c.status = 'sending' and c.channel = 'email'
    returning m.message_id, m.subject_id, m.attempts, c.campaign_id, c.purpose, c.topic,
              c.message_class, c.subject_line, c.body_text, c.body_html`.execute(db);
  const m = claimed.rows[0];
  if (m === undefined) return "not_claimed";

  const { policy, pack: packNow } = deps.policies.at(deps.clock().toISOString());
  const marketing = m.message_class === "marketing" || !policy.essential.has(m.message_class);
  const ask = {
    action: "send",
    purpose: m.purpose,
    fields: policy.fieldCategory.has(channelField("email")) ? [channelField("email")] : [],
    channel: "email",
    messageClass: m.message_class,
    ...(m.topic === null ? {} : { topic: m.topic }),
  } as const;
  // The gate again, with the person's facts now; the decision is audited before anything leaves,
  // and the address is read through its view in the same transaction.
  const asked = await use(
    deps,
    SENDER,
    { subject: m.subject_id },
    ask,
    async (scope) =>
      ok({
        to: await emailOf(scope),
        decision: scope.decision,
        consentedAt: marketing ? await consentedAt(scope, m) : null,
      }),
    { keepsFacts: true },
  );
  const at = deps.clock();
  if (!asked.ok) {
    const first = "decision" in asked ? asked.decision?.reasons[0] : undefined;
    await settle(deps, m, "skipped", first?.code ?? "refused", at, {
      type: "campaign.message_skipped",
      payload: { code: first?.code ?? "refused", clause: first?.clause ?? null },
    });
    return "skipped";
  }
  const { to, decision, consentedAt: since } = asked.value;
  if (to === null) {
    await settle(deps, m, "skipped", "no_address", at, {
      type: "campaign.message_skipped",
      payload: { code: "no_address", clause: null },
    });
    return "skipped";
  }
  const local = headerLocalPart(await messageIdKey(db), refOf(m));
  const headerMessageId = `${local}@${messageIdDomain(deps.mail)}`;
  try {
    const links = marketing
      ? await deps.links(db, deps.mail, {
          subjectId: m.subject_id,
          campaignId: m.campaign_id,
          channel: "email",
          purpose: m.purpose,
          topic: m.topic,
        })
      : undefined;
    // The foot says why the message came and, for marketing, how to stop it (the same link as
    // the header) and where the company is; essential messages say why they cannot be stopped.
    const footer =
      links === undefined
        ? essentialFooter(packNow, essentialReason(packNow, m.purpose, m.message_class))
        : marketingFooter(packNow, {
            purpose: m.purpose,
            topic: m.topic,
            consentedAt: since,
            unsubscribeUrl: links.url,
          });
    const body = withFooter({ text: m.body_text, html: m.body_html }, footer);
    await deps.transport.send({
      headerMessageId: local,
      to,
      subject: m.subject_line ?? "",
      text: body.text,
      html: body.html,
      ...(links === undefined ? {} : { listUnsubscribe: links }),
    });
  } catch (error) {
    const permanent = error instanceof TransportError && error.permanent;
    const code = error instanceof TransportError ? error.code : "send_error";
    if (permanent || m.attempts >= MAX_ATTEMPTS) {
      const why = permanent ? code : "retries_exhausted";
      await settle(deps, m, "failed", why, at, { type: "campaign.message_failed", payload: { code: why } });
      return "failed";
    }
    await db
      .updateTable("campaign_messages")
      .set({ state: "queued", last_error: code, claimed_by: null })
      .where("subject_id", "=", m.subject_id)
      .where("message_id", "=", m.message_id)
      .where("state", "=", "sending")
      .execute();
    return "retry";
  }
  // The relay took it: record that before anything else.
  const { pack } = deps.policies.at(at.toISOString());
  const guarded = pack.messages.send_guard !== undefined;
  await db.transaction().execute(async (trx) => {
    // Locks in the order a report takes them (campaign, then messages and the audit head), so a
    // report and a send that both ask the guard queue behind each other instead of deadlocking.
    if (guarded) await lockCampaign(trx, m.campaign_id);
    await trx
      .updateTable("campaign_messages")
      .set({ state: "sent", sent_at: deps.clock(), header_message_id: headerMessageId, last_error: null })
      .where("subject_id", "=", m.subject_id)
      .where("message_id", "=", m.message_id)
      .where("state", "=", "sending")
      .execute();
    await appendAudit(trx, [
      {
        type: "campaign.message_sent",
        at,
        actor: SYSTEM,
        subjectId: m.subject_id,
        payload: {
          campaignId: m.campaign_id,
          messageId: m.message_id,
          policyVersion: decision.policy.version,
          clauses: clausesOf(decision),
        },
      },
    ]);
    // ZM-10: the rates change with every message sent too (reports that came before the minimum
    // sample count once it is reached), so the guard is asked here as well as on each report.
    if (guarded) await evaluateGuard(trx, pack, m.campaign_id, { actor: SYSTEM, now: at });
  });
  return "sent";
}

/**
 * Marks `sending` messages of nodes that are gone as `uncertain` (audited), and returns the
 * campaigns still `sending` with the ids of their `queued` messages, to queue again: the jobs
 * of a node that died may have been lost with it; a message claimed twice is impossible, so a
 * job queued twice is harmless.
 */
export async function recoverOrphans(
  db: Kysely<Database>,
  isGone: (nodeId: string | null) => Promise<boolean>,
  clock: () => Date,
): Promise<{ uncertain: number; queued: Map<string, MessageRef[]> }> {
  const claims = await db
    .selectFrom("campaign_messages")
    .select("claimed_by")
    .distinct()
    .where("state", "=", "sending")
    .execute();
  let uncertain = 0;
  for (const { claimed_by } of claims) {
    if (!(await isGone(claimed_by))) continue;
    const at = clock();
    uncertain += await db.transaction().execute(async (trx) => {
      const rows = await trx
        .updateTable("campaign_messages")
        .set({ state: "uncertain", last_error: "outcome_unknown" })
        .where("state", "=", "sending")
        .where((eb) =>
          claimed_by === null ? eb("claimed_by", "is", null) : eb("claimed_by", "=", claimed_by),
        )
        .returning(["message_id", "campaign_id", "subject_id"])
        .execute();
      await appendAudit(
        trx,
        rows.map((r) => ({
          type: "campaign.message_uncertain" as const,
          at,
          actor: SYSTEM,
          subjectId: r.subject_id,
          payload: { campaignId: r.campaign_id, messageId: r.message_id },
        })),
      );
      return rows.length;
    });
  }
  const rows = await db
    .selectFrom("campaign_messages as m")
    .innerJoin("campaigns as c", "c.campaign_id", "m.campaign_id")
    .select(["m.campaign_id", "m.message_id", "m.subject_id"])
    .where("c.status", "=", "sending")
    .where("c.channel", "=", "email")
    .where("m.state", "=", "queued")
    .orderBy("m.campaign_id")
    .orderBy("m.message_id")
    .execute();
  const queued = new Map<string, MessageRef[]>();
  for (const r of rows) {
    const list = queued.get(r.campaign_id) ?? [];
    list.push(refOf(r));
    queued.set(r.campaign_id, list);
  }
  return { uncertain, queued };
}

/** Email campaigns being sent, for finishing those whose outbox is done. */
export async function sendingEmailCampaigns(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .selectFrom("campaigns")
    .select("campaign_id")
    .where("status", "=", "sending")
    .where("channel", "=", "email")
    .execute();
  return rows.map((r) => r.campaign_id);
}

/**
 * A campaign whose outbox has nothing left `queued` or `sending` becomes `sent` (uncertain
 * messages do not hold it open: they wait for a staff decision). Idempotent.
 */
export async function finishIfDone(
  db: Kysely<Database>,
  campaignId: string,
  clock: () => Date,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const now = clock();
    const campaign = await trx
      .selectFrom("campaigns")
      .select(["campaign_id as id", "status"])
      .where("campaign_id", "=", campaignId)
      .where("status", "=", "sending")
      .forUpdate()
      .executeTakeFirst();
    if (campaign === undefined) return false;
    const open = await trx
      .selectFrom("campaign_messages")
      .select(sql`1`.as("one"))
      .where("campaign_id", "=", campaignId)
      .where("state", "in", ["queued", "sending"])
      .limit(1)
      .executeTakeFirst();
    if (open !== undefined) return false;
    const counts = await trx
      .selectFrom("campaign_messages")
      .select(["state", sql<number>`cast(count(*) as int)`.as("n")])
      .where("campaign_id", "=", campaignId)
      .groupBy("state")
      .execute();
    const n = (s: string) => Number(counts.find((c) => c.state === s)?.n ?? 0);
    const finished: AuditEvent = {
      type: "campaign.finished",
      at: now,
      actor: SYSTEM,
      subjectId: null,
      payload: {
        campaignId,
        sent: n("sent"),
        skipped: n("skipped"),
        failed: n("failed"),
        uncertain: n("uncertain"),
      },
    };
    return (await moveCampaign(trx, campaign, "finish", { finished_at: now }, finished)).ok;
  });
}

interface ClaimedRow {
  message_id: string;
  subject_id: string;
  attempts: number;
  campaign_id: string;
  purpose: string;
  topic: string | null;
  message_class: CampaignsTable["message_class"];
  subject_line: string | null;
  body_text: string;
  body_html: string | null;
}

async function settle(
  deps: SendDeps,
  m: ClaimedRow,
  state: "skipped" | "failed",
  code: string,
  at: Date,
  audit:
    | { type: "campaign.message_skipped"; payload: { code: string; clause: string | null } }
    | { type: "campaign.message_failed"; payload: { code: string } },
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable("campaign_messages")
      .set({ state, last_error: code })
      .where("subject_id", "=", m.subject_id)
      .where("message_id", "=", m.message_id)
      .where("state", "=", "sending")
      .execute();
    const ids = { campaignId: m.campaign_id, messageId: m.message_id };
    const event = { at, actor: SYSTEM, subjectId: m.subject_id };
    await appendAudit(trx, [
      (audit.type === "campaign.message_skipped"
        ? { ...event, type: audit.type, payload: { ...ids, ...audit.payload } }
        : { ...event, type: audit.type, payload: { ...ids, ...audit.payload } }) as AuditEvent,
    ]);
  });
}

/**
 * When the consent a marketing message rests on was given: the current `granted` state of its
 * topic or purpose for email (a topic's own row, then the channel's own row, win), or null.
 */
async function consentedAt(scope: UseScope, m: ClaimedRow): Promise<Date | null> {
  const scopes = m.topic === null ? [m.purpose] : [m.topic, m.purpose];
  const row = await scope.trx
    .selectFrom("subject_consents")
    .select(["updated_at", "scope", "channel"])
    .where("subject_id", "=", m.subject_id)
    .where("scope", "in", scopes)
    .where("channel", "in", ["email", ""])
    .where("state", "=", "granted")
    .orderBy(sql`case when scope = ${scopes[0]} then 0 else 1 end`)
    .orderBy("channel", "desc")
    .executeTakeFirst();
  return row === undefined ? null : new Date(row.updated_at);
}

/** The person's email address (the primary one first), opened through the use's view; null when none. */
async function emailOf(scope: UseScope): Promise<string | null> {
  const row = await scope.trx
    .selectFrom("subject_identities")
    .select("value_enc")
    .where("subject_id", "=", scope.subject!.subjectId)
    .where("kind", "=", "email")
    .orderBy("is_primary", "desc")
    .orderBy("created_at")
    .executeTakeFirst();
  if (row === undefined) return null;
  return (await scope.view()).open("email", row.value_enc, "identity.email");
}
