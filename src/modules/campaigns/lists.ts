import { Readable } from "node:stream";
import { sql, type Expression, type RawBuilder, type SqlBool, type Transaction } from "kysely";
import type { AuditEvent } from "../../audit/audit.events.ts";
import type { SubjectCipher } from "../../crypto/vault.types.ts";
import { PledgeError } from "../../errors.ts";
import type { Channel } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { auditActor, type Acting } from "../../use/acting.ts";
import { use } from "../../use/kernel.ts";
import { clausesOf, failWith, ok, type Result } from "../../use/refusal.ts";
import type { FieldView } from "../../use/view.ts";
import type { DisclosureDeps } from "../disclosures/context.ts";
import "../disclosures/disclosures.events.ts";
import { ledgerWrite } from "../disclosures/disclosures.service.ts";
import "../deliverability/deliverability.events.ts";
import { csvLine, ndjsonLine, type ExportFormat } from "../exports/format.ts";
import { disclosedRecords } from "../exports/records.ts";
import { moveCampaign } from "./transition.ts";

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
): Promise<Result<ListResult>> {
  const found = await deps.db
    .selectFrom("campaigns")
    .select(["campaign_id", "channel", "recipient", "purpose", "message_class", "topic"])
    .where("campaign_id", "=", input.campaignId)
    .executeTakeFirst();
  if (found === undefined) return failWith(new PledgeError("PLEDGE_NOT_FOUND", "no such campaign"));
  const channel = found.channel;
  if (!isListChannel(channel)) {
    return unavailable(
      `campaign ${found.campaign_id} is sent by ${channel}, not as a list (${LIST_CHANNELS.join(", ")})`,
    );
  }
  const recipient = found.recipient;
  if (recipient === null) {
    return unavailable(`campaign ${found.campaign_id} names no recipient (the mail house or call centre)`);
  }
  const { policy } = deps.policies.at(deps.clock().toISOString());
  const fields = listFields(channel).filter((f) => policy.fieldCategory.has(f));
  const ask = {
    action: "export",
    purpose: found.purpose,
    recipient,
    channel,
    messageClass: found.message_class,
    ...(found.topic === null ? {} : { topic: found.topic }),
    fields,
  } as const;
  // The purpose, channel and recipient of a campaign never change; its status is read locked below.
  const made = await use<Made>(deps, acting, { audience: true }, ask, async (scope) => {
    const { trx, now } = scope;
    const campaign = await trx
      .selectFrom("campaigns")
      .select(["campaign_id", "status"])
      .where("campaign_id", "=", input.campaignId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (campaign.status !== "sending") {
      return unavailable(
        `campaign ${campaign.campaign_id} is ${campaign.status}: a list is made once, while it is sending`,
      );
    }
    const id = campaign.campaign_id;
    const allowed = scope.audience!;
    const where = sql<SqlBool>`(${allowed} and ${queued(id)} and ${reachable(channel)})`;
    const disclosureId = await ledgerWrite(scope, "list", where);
    const count = await subjectCount(trx, disclosureId);
    const skipped = await settleOutbox(trx, id, disclosureId, allowed, now);
    const delivered: AuditEvent = {
      type: "campaign.list_delivered",
      at: now,
      actor: auditActor(acting.actor),
      subjectId: null,
      payload: {
        campaignId: id,
        recipient,
        disclosureId,
        fields: [...fields],
        count,
        skipped,
        format: input.format,
      },
    };
    const moved = await moveCampaign(
      trx,
      { id, status: campaign.status },
      "finish",
      { finished_at: now },
      delivered,
    );
    if (!moved.ok) return moved;
    return ok({ disclosureId, count, skipped, clauses: clausesOf(scope.decision), narrow: scope.narrow });
  });
  if (!made.ok) return made;
  const { disclosureId, count, skipped, clauses, narrow } = made.value;
  return ok({
    disclosureId,
    recipient,
    count,
    skipped,
    fields,
    clauses,
    body: Readable.from(serialise(deps, narrow, found.campaign_id, disclosureId, fields, input.format)),
  });
}

/** What the transaction of a list leaves for the body that streams after it. */
interface Made {
  readonly disclosureId: string;
  readonly count: number;
  readonly skipped: number;
  readonly clauses: readonly string[];
  readonly narrow: (cipher: SubjectCipher) => FieldView;
}

function unavailable<T>(detail: string): Result<T> {
  return failWith(new PledgeError("PLEDGE_LIST_UNAVAILABLE", detail));
}

async function subjectCount(trx: Transaction<Database>, disclosureId: string): Promise<number> {
  const row = await trx
    .selectFrom("disclosures")
    .select("subject_count")
    .where("disclosure_id", "=", disclosureId)
    .executeTakeFirstOrThrow();
  return Number(row.subject_count);
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
  narrow: (cipher: SubjectCipher) => FieldView,
  campaignId: string,
  disclosureId: string,
  fields: readonly string[],
  format: ExportFormat,
): AsyncGenerator<string> {
  const columns = [MESSAGE_COLUMN, ...fields];
  if (format === "csv") yield csvLine(columns);
  for await (const page of disclosedRecords(deps.db, deps.vault, narrow, disclosureId, fields)) {
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
