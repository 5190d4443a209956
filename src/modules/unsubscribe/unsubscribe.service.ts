import type { Kysely, Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import type { Vault } from "../../crypto/vault.types.ts";
import type { ConsentState } from "../../gate/types.ts";
import type { Channel, PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import * as consentRepo from "../consent/consent.repository.ts";
import { recordConsentsIn, stopChannelIn } from "../consent/consent.service.ts";
import type { ConsentSource } from "../consent/consent.ts";
import { indexOrThrow } from "../suppression/address.ts";
import { suppressIndex } from "../suppression/suppression.service.ts";
import { checkToken, type TokenClaims } from "./tokens.ts";
import "./unsubscribe.events.ts";

/**
 * What an unsubscribe does, whichever way it arrives (one-click POST, the page's form, a mailto
 * request): in ONE transaction, committed before the caller answers,
 * 1. when the pack lists the channel under `messages.suppression.channels`, the address goes on
 *    the Do Not Send list (PS-05) – by its blind index, so it holds after the subject is erased;
 * 2. the consent ledger records `withdrawn` for the token's topic (or its purpose when it has
 *    none) on the channel, source `email-link` – or, for `scope: "channel"`, every marketing
 *    purpose and topic on the channel (ZM-06);
 * 3. the token is marked used. A used token changes nothing again (idempotent), and a forged,
 *    unknown or expired one writes nothing at all.
 */
type Db = Kysely<Database>;

export type Via = "one-click" | "form" | "mailto";
export type Scope = "target" | "channel";

export type UnsubscribeOutcome =
  | { readonly ok: true; readonly already: boolean; readonly claims: TokenClaims }
  | { readonly ok: false; readonly why: "forged" | "unknown" | "expired" | "address_mismatch" };

export interface UnsubscribeContext {
  readonly actor: string;
  readonly now: Date;
}

function suppressedChannels(pack: PolicyPack): readonly Channel[] {
  return pack.messages?.suppression?.channels ?? [];
}

/**
 * Applies a token. `expectedAddressIndex`, when given (a mailto request whose sender is known),
 * must be the address the token was issued for: a token forwarded to or replayed by someone else
 * opts out nobody.
 */
export async function unsubscribeByToken(
  db: Db,
  pack: PolicyPack,
  token: string,
  how: { via: Via; scope?: Scope; expectedAddressIndex?: string },
  ctx: UnsubscribeContext,
): Promise<UnsubscribeOutcome> {
  const first = await checkToken(db, token, ctx.now);
  if (!first.ok) return first;
  if (
    how.expectedAddressIndex !== undefined &&
    first.claims.addressIndex !== null &&
    first.claims.addressIndex !== how.expectedAddressIndex
  ) {
    return { ok: false, why: "address_mismatch" };
  }
  return db.transaction().execute(async (trx): Promise<UnsubscribeOutcome> => {
    const checked = await checkToken(db, token, ctx.now, trx, true);
    if (!checked.ok) return checked;
    const claims = checked.claims;
    if (claims.usedAt !== null) return { ok: true, already: true, claims };

    let suppressed = false;
    if (claims.addressIndex !== null && suppressedChannels(pack).includes(claims.channel)) {
      const { added } = await suppressIndex(
        trx,
        {
          channel: claims.channel,
          addressIndex: claims.addressIndex,
          reason: "unsubscribe",
          source: "email-link",
        },
        ctx,
      );
      suppressed = added;
    }

    const targetKind = claims.topic === null ? "purpose" : "topic";
    const target = claims.topic ?? claims.purpose;
    let consentEvents = 0;
    if (await consentRepo.subjectExists(trx, claims.subjectId)) {
      const evidence = claims.campaignId === null ? {} : { campaignId: claims.campaignId };
      if (how.scope === "channel") {
        const events = await stopChannelIn(
          trx,
          pack,
          claims.subjectId,
          claims.channel,
          { source: "email-link", evidence },
          ctx,
        );
        consentEvents = events.length;
      } else if (!stopped(await stateOn(trx, claims.subjectId, target, claims.channel))) {
        await recordConsentsIn(
          trx,
          pack,
          claims.subjectId,
          [
            {
              targetKind,
              target,
              channel: claims.channel,
              action: "withdrawn",
              source: "email-link",
              evidence,
            },
          ],
          ctx,
        );
        consentEvents = 1;
      }
    }

    await trx
      .updateTable("unsubscribe_tokens")
      .set({ used_at: ctx.now, used_by: how.via })
      .where("subject_id", "=", claims.subjectId)
      .where("token_id", "=", claims.tokenId)
      .execute();
    await appendAudit(trx, [
      {
        type: "unsubscribe.used",
        at: ctx.now,
        actor: ctx.actor,
        subjectId: claims.subjectId,
        payload: {
          via: how.via,
          campaignId: claims.campaignId,
          channel: claims.channel,
          targetKind: how.scope === "channel" ? "channel" : targetKind,
          target: how.scope === "channel" ? claims.channel : target,
          suppressed,
          consentEvents,
        },
      },
    ]);
    return { ok: true, already: false, claims };
  });
}

/**
 * An emailed request naming only an address (staff-handled, or an inbound message without a
 * token): the address goes on Do Not Send when the pack lists the channel, and every live subject
 * with that address stops marketing on the channel. Returns how many subjects were found.
 */
export async function unsubscribeAddress(
  db: Db,
  vault: Pick<Vault, "blindIndex">,
  pack: PolicyPack,
  input: { channel: Channel; address: string; source: ConsentSource; via: Via },
  ctx: UnsubscribeContext,
): Promise<{ subjects: number; suppressed: boolean }> {
  const index = indexOrThrow(vault, input.channel, input.address);
  return db.transaction().execute(async (trx) => {
    let suppressed = false;
    if (suppressedChannels(pack).includes(input.channel)) {
      const source = input.source === "staff" ? "staff" : "email-link";
      ({ added: suppressed } = await suppressIndex(
        trx,
        { channel: input.channel, addressIndex: index, reason: "request", source },
        ctx,
      ));
    }
    const rows = await trx
      .selectFrom("subject_identities")
      .innerJoin("subjects", "subjects.subject_id", "subject_identities.subject_id")
      .select("subject_identities.subject_id")
      .where("subject_identities.blind_index", "=", index)
      .where("subjects.erased_at", "is", null)
      .distinct()
      .execute();
    for (const row of rows) {
      await stopChannelIn(trx, pack, row.subject_id, input.channel, { source: input.source }, ctx);
    }
    await appendAudit(trx, [
      {
        type: "unsubscribe.requested",
        at: ctx.now,
        actor: ctx.actor,
        subjectId: null,
        payload: { via: input.via, channel: input.channel, subjects: rows.length, suppressed },
      },
    ]);
    return { subjects: rows.length, suppressed };
  });
}

async function stateOn(
  trx: Transaction<Database>,
  subjectId: string,
  scope: string,
  channel: Channel,
): Promise<ConsentState | undefined> {
  const { consents } = await consentRepo.preferences(trx, subjectId);
  return (
    consents.find((c) => c.scope === scope && c.channel === channel) ??
    consents.find((c) => c.scope === scope && c.channel === "")
  )?.state;
}

const stopped = (state: ConsentState | undefined) => state === "withdrawn" || state === "objected";
