import { Readable } from "node:stream";
import { sql, type Expression, type RawBuilder, type SqlBool, type Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import type { AuditEvent } from "../../audit/audit.events.ts";
import { compileAudience, type Decision, type Use } from "../../gate/index.ts";
import { PledgeError } from "../../http/errors.ts";
import type { Channel } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { categoriesOf, refusedError, type DisclosureDeps } from "../disclosures/context.ts";
import "../disclosures/disclosures.events.ts";
import { contractOnFile, recordDisclosure } from "../disclosures/ledger.ts";
import "../deliverability/deliverability.events.ts";
import { csvLine, ndjsonLine, type ExportFormat } from "../exports/format.ts";
import { disclosedRecords } from "../exports/records.ts";
import { decisionEvent } from "../subjects/subjects.gate.ts";
import { auditActor, type Acting } from "../subjects/subjects.ts";

/**
 * Lists for a mail house or a call centre: how a postal, catalogue or phone campaign reaches
 * people. Pledge does not post letters or make calls; it hands the campaign's processor (its
 * `recipient`) a list, through the gate, with only the fields the channel needs:
 *
 *   postal, catalogue  first_name, last_name, postal_address
 *   phone              first_name, last_name, phone
 *
 * The gate decides the export once (action `export` to the recipient, on the campaign's channel,
 * class, purpose and topic: rules 0–16) and selects in SQL the people it allows (rules 18–24:
 * opt-outs, the recipient's opt-out scope such as PS-09's `catalogues`, Do Not Send), intersected
 * with the campaign's `queued` outbox rows and with those who have the address the channel needs.
 * In one transaction: the ledger (kind `list`) and its people, those outbox rows `sent`, the rest
 * `skipped` (`gate_refused` or `no_address`), the campaign `sent`, the audit events. Only then does
 * the body stream, read from the ledger's own rows, so what leaves is exactly what was recorded.
 * A list is made once: a campaign that is no longer `sending` has none.
 */
export const LIST_CHANNELS = ["postal", "catalogue", "phone"] as const;
export type ListChannel = (typeof LIST_CHANNELS)[number];

export function isListChannel(channel: Channel): channel is ListChannel {
  return (LIST_CHANNELS as readonly string[]).includes(channel);
}

/** The record fields a channel needs, and no other. */
export function listFields(channel: ListChannel): readonly string[] {
  switch (channel) {
    case "postal":
    case "catalogue":
      return ["first_name", "last_name", "postal_address"];
    case "phone":
      return ["first_name", "last_name", "phone"];
    default: {
      const never: never = channel;
      throw new Error(`unknown list channel ${String(never)}`);
    }
  }
}

export interface ListInput {
  readonly campaignId: string;
  readonly format: ExportFormat;
}

export interface ListResult {
  readonly disclosureId: string;
  readonly recipient: string;
  /** People on the list (= the ledger's people = outbox rows now `sent`). */
  readonly count: number;
  /** Outbox rows left out: refused by the gate now, or without the address the channel needs. */
  readonly skipped: number;
  /** The columns after `messageId`. */
  readonly fields: readonly string[];
  readonly clauses: readonly string[];
  readonly body: Readable;
}

/** The list's first column: the outbox message id, so the processor can report returns and bounces. */
export const MESSAGE_COLUMN = "messageId";

export async function deliverList(
  deps: DisclosureDeps,
  acting: Acting,
  input: ListInput,
): Promise<ListResult> {
  const now = deps.clock();
  const at = now.toISOString();
  const { policy } = deps.policies.at(at);
  const actor = auditActor(acting.actor);
  const made = await deps.db.transaction().execute(async (trx) => {
    const campaign = await trx
      .selectFrom("campaigns")
      .selectAll()
      .where("campaign_id", "=", input.campaignId)
      .forUpdate()
      .executeTakeFirst();
    if (campaign === undefined) throw new PledgeError("PLEDGE_NOT_FOUND", "no such campaign");
    const channel = campaign.channel;
    if (!isListChannel(channel)) {
      throw new PledgeError(
        "PLEDGE_LIST_UNAVAILABLE",
        `campaign ${campaign.campaign_id} is sent by ${channel}, not as a list (${LIST_CHANNELS.join(", ")})`,
      );
    }
    const recipient = campaign.recipient;
    if (recipient === null) {
      throw new PledgeError(
        "PLEDGE_LIST_UNAVAILABLE",
        `campaign ${campaign.campaign_id} names no recipient (the mail house or call centre)`,
      );
    }
    if (campaign.status !== "sending") {
      throw new PledgeError(
        "PLEDGE_LIST_UNAVAILABLE",
        `campaign ${campaign.campaign_id} is ${campaign.status}: a list is made once, while it is sending`,
      );
    }
    const fields = listFields(channel).filter((f) => policy.fieldCategory.has(f));
    const use: Use = {
      action: "export",
      purpose: campaign.purpose,
      actor: acting.actor,
      recipient,
      channel,
      messageClass: campaign.message_class,
      ...(campaign.topic === null ? {} : { topic: campaign.topic }),
      fields,
      at,
    };
    // Read in this transaction: on the embedded store another connection would wait for it.
    const facts = {
      actorAttested: acting.attested,
      recipientContractOnFile: await contractOnFile(trx, recipient, now),
      deploymentRegion: deps.region,
    };
    const audience = compileAudience(policy, facts, use);
    const decision = audience.decision;
    if (decision.outcome === "deny") {
      // The refusal is audited and committed; nothing else is written.
      await appendAudit(trx, [decisionEvent(acting, null, use, decision)]);
      return { ok: false, refused: decision } as const;
    }
    const id = campaign.campaign_id;
    const where = sql<SqlBool>`(${audience.where} and ${queued(id)} and ${reachable(channel)})`;
    const written = await recordDisclosure(
      trx,
      {
        recipientId: recipient,
        recipientKind: policy.recipients.get(recipient)?.kind ?? "processor",
        kind: "list",
        purpose: campaign.purpose,
        ground: policy.purposes.get(campaign.purpose)?.basis ?? "",
        fields,
        categories: categoriesOf(policy.fieldCategory, fields),
        policyVersion: policy.version,
        actor,
        at: now,
      },
      where,
    );
    const skipped = await settleOutbox(trx, id, written.disclosureId, audience.where, now);
    await trx
      .updateTable("campaigns")
      .set({ status: "sent", finished_at: now })
      .where("campaign_id", "=", id)
      .execute();
    const events: AuditEvent[] = [
      decisionEvent(acting, null, use, decision),
      {
        type: "disclosure.recorded",
        at: now,
        actor,
        subjectId: null,
        payload: {
          disclosureId: written.disclosureId,
          recipient,
          kind: "list",
          purpose: campaign.purpose,
          fields: [...fields],
          removed: [],
          count: written.subjectCount,
        },
      },
      {
        type: "campaign.list_delivered",
        at: now,
        actor,
        subjectId: null,
        payload: {
          campaignId: id,
          recipient,
          disclosureId: written.disclosureId,
          fields: [...fields],
          count: written.subjectCount,
          skipped,
          format: input.format,
        },
      },
    ];
    await appendAudit(trx, events);
    return { ok: true, campaignId: id, recipient, fields, decision, skipped, ...written } as const;
  });
  if (!made.ok) throw refusedError(made.refused);
  return {
    disclosureId: made.disclosureId,
    recipient: made.recipient,
    count: made.subjectCount,
    skipped: made.skipped,
    fields: made.fields,
    clauses: clausesOf(made.decision),
    body: Readable.from(serialise(deps, made.campaignId, made.disclosureId, made.fields, input.format)),
  };
}

/** The person has a `queued` message in the campaign's outbox. */
function queued(campaignId: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`exists (select 1 from campaign_messages m
    where m.campaign_id = ${campaignId} and m.subject_id = subjects.subject_id and m.state = ${"queued"})`;
}

/** The person's record holds the address the channel needs. */
function reachable(channel: ListChannel): RawBuilder<SqlBool> {
  return channel === "phone"
    ? sql<SqlBool>`exists (select 1 from subject_fields f
        where f.subject_id = subjects.subject_id and f.field = ${"phone"})`
    : sql<SqlBool>`exists (select 1 from subject_addresses a
        where a.subject_id = subjects.subject_id and a.kind = ${"postal"})`;
}

/**
 * Marks the listed people's messages `sent` and every other `queued` message `skipped`, with why:
 * `gate_refused` when the gate no longer allows the person (an opt-out since the audience was
 * drawn), `no_address` when it does but the record has no address for the channel. Returns how
 * many were skipped.
 */
async function settleOutbox(
  trx: Transaction<Database>,
  campaignId: string,
  disclosureId: string,
  allowed: Expression<SqlBool>,
  now: Date,
): Promise<number> {
  await trx
    .updateTable("campaign_messages")
    .set({ state: "sent", sent_at: now })
    .where("campaign_id", "=", campaignId)
    .where("state", "=", "queued")
    .where("subject_id", "in", (eb) =>
      eb.selectFrom("disclosure_subjects").select("subject_id").where("disclosure_id", "=", disclosureId),
    )
    .execute();
  const result = await sql`update campaign_messages as cm
    set state = ${"skipped"},
      last_error = case when exists (select 1 from subjects
        where subjects.subject_id = cm.subject_id and ${allowed}) then ${"no_address"} else ${"gate_refused"} end
    where cm.campaign_id = ${campaignId} and cm.state = ${"queued"}`.execute(trx);
  return Number(result.numAffectedRows ?? 0n);
}

async function* serialise(
  deps: DisclosureDeps,
  campaignId: string,
  disclosureId: string,
  fields: readonly string[],
  format: ExportFormat,
): AsyncGenerator<string> {
  const columns = [MESSAGE_COLUMN, ...fields];
  if (format === "csv") yield csvLine(columns);
  for await (const page of disclosedRecords(deps.db, deps.vault, disclosureId, fields)) {
    const messages = new Map<string, string>();
    if (page.subjectIds.length > 0) {
      const rows = await deps.db
        .selectFrom("campaign_messages")
        .select(["subject_id", "message_id"])
        .where("campaign_id", "=", campaignId)
        .where("subject_id", "in", [...page.subjectIds])
        .execute();
      for (const r of rows) messages.set(r.subject_id, r.message_id);
    }
    let chunk = "";
    page.rows.forEach((row, i) => {
      const line = [messages.get(page.subjectIds[i] as string) ?? "", ...row];
      chunk += format === "csv" ? csvLine(line) : ndjsonLine(columns, line);
    });
    if (chunk !== "") yield chunk;
  }
}

function clausesOf(decision: Decision): string[] {
  return [...new Set(decision.reasons.flatMap((r) => (r.clause === null ? [] : [r.clause])))];
}
