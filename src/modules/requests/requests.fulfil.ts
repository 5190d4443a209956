import type { Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import type { Channel, PolicyPack } from "../../policy/schema.ts";
import { PledgeError } from "../../errors.ts";
import type { Database } from "../../store/database.ts";
import type { Acting } from "../../use/acting.ts";
import { errorOf } from "../../use/refusal.ts";
import * as consents from "../consent/consent.repository.ts";
import { recordConsentsIn, stopChannelIn } from "../consent/consent.service.ts";
import { gpcScopes } from "../consent/consent.targets.ts";
import type { ConsentInput, ConsentSource } from "../consent/consent.ts";
import { activeHolds } from "../holds/holds.repository.ts";
import { eraseSubjectIn } from "../subjects/erase.ts";
import { updateSubject } from "../subjects/update.ts";
import type { SubjectsDeps } from "../subjects/subjects.service.ts";
import { suppressIndex } from "../suppression/suppression.service.ts";
import { makeLink } from "./requests.links.ts";
import { matchSubjects, type MatchDigest } from "./requests.match.ts";
import type { DenialReason, RequestDetails, RequestIntake } from "./requests.ts";
import type { RequestsDeps } from "./requests.deps.ts";
import { transition, type RequestRow } from "./requests.transition.ts";

/**
 * What each kind of request does for the person, in the request's transaction, once their
 * identity is verified. Opt-outs write the consent ledger (source: the intake's), deletion runs
 * the erasure and says what the law keeps, access makes a download link for the person's package.
 * A kind the pack offers nothing for is denied `claim_not_covered`, with the reason.
 */
export type Fulfilment =
  | { readonly state: "fulfilled"; readonly result: Record<string, unknown> }
  | { readonly state: "denied"; readonly reason: DenialReason; readonly result: Record<string, unknown> };

/**
 * Sensitive personal information as the CPRA lists it (financial accounts, the contents of
 * messages), in the pack's sensitivity classes.
 */
const SENSITIVE = new Set(["financial", "content"]);

export function sourceOf(intake: RequestIntake): ConsentSource {
  switch (intake) {
    case "customer":
    case "public":
      return "web";
    case "staff":
    case "mail":
      return "staff";
    case "agent":
      return "drp";
    default: {
      const never: never = intake;
      return never;
    }
  }
}

export async function fulfilIn(
  trx: Transaction<Database>,
  deps: SubjectsDeps,
  acting: Acting,
  pack: PolicyPack,
  row: RequestRow,
  details: RequestDetails,
  actor: string,
  now: Date,
): Promise<Fulfilment> {
  const ctx = { actor, now };
  if (row.kind === "list_removal") return removeFromLists(trx, deps, acting, pack, row, ctx);
  if (row.kind === "complaint") {
    throw new PledgeError(
      "PLEDGE_REQUEST_TRANSITION_INVALID",
      `a complaint is resolved with its note at PATCH /v1/privacy-complaints/${row.request_id}`,
    );
  }
  const subjectId = row.subject_id;
  if (subjectId === null) throw new Error(`request ${row.request_id} has no person to act on`);
  const how = { source: sourceOf(row.intake) };
  const withdraw = async (inputs: ConsentInput[]) =>
    inputs.length === 0 ? 0 : (await recordConsentsIn(trx, pack, subjectId, inputs, ctx)).length;
  switch (row.kind) {
    case "opt_out_sale": {
      const state = await consents.preferences(trx, subjectId);
      const n = await withdraw(
        state.permissions.includes("sale")
          ? [{ targetKind: "permission", target: "sale", action: "withdrawn", ...how }]
          : [],
      );
      return { state: "fulfilled", result: { withdrawn: n } };
    }
    case "opt_out_sharing": {
      const state = await consents.preferences(trx, subjectId);
      const scopes = gpcScopes(pack).filter((s) => !state.optOuts.includes(s));
      const n = await withdraw(
        scopes.map((s) => ({ targetKind: "sharing", target: s, action: "withdrawn", ...how })),
      );
      return { state: "fulfilled", result: { withdrawn: n } };
    }
    case "opt_out_channel": {
      const channel = details.channel as Channel;
      const n = (await stopChannelIn(trx, pack, subjectId, channel, how, ctx)).length;
      return { state: "fulfilled", result: { channel, withdrawn: n } };
    }
    case "opt_out_catalogues": {
      const entry = pack.messages.channel_opt_outs?.find((o) => o.channel === "catalogue");
      if (entry === undefined) {
        return {
          state: "denied",
          reason: "claim_not_covered",
          result: { note: "this company sends no catalogues" },
        };
      }
      const stopped = (await stopChannelIn(trx, pack, subjectId, "catalogue", how, ctx)).length;
      const state = await consents.preferences(trx, subjectId);
      const n = state.optOuts.includes(entry.scope)
        ? 0
        : await withdraw([{ targetKind: "sharing", target: entry.scope, action: "withdrawn", ...how }]);
      return { state: "fulfilled", result: { withdrawn: stopped + n } };
    }
    case "limit_sensitive": {
      const sensitive = new Set(pack.categories.filter((c) => SENSITIVE.has(c.sensitivity)).map((c) => c.id));
      const purposes = pack.purposes.filter(
        (p) => (p.basis === "consent" || p.basis === "opt_out") && p.categories.some((c) => sensitive.has(c)),
      );
      const state = await consents.preferences(trx, subjectId);
      const open = purposes.filter(
        (p) => !state.consents.some((c) => c.scope === p.id && c.channel === "" && c.state !== "granted"),
      );
      const n = await withdraw(
        open.map((p) => ({ targetKind: "purpose", target: p.id, action: "withdrawn", ...how })),
      );
      return { state: "fulfilled", result: { limited: purposes.map((p) => p.id), withdrawn: n } };
    }
    case "deletion": {
      const holds = await activeHolds(trx, subjectId);
      if (holds.length > 0) {
        return {
          state: "denied",
          reason: "legal_hold",
          result: { holds: holds.length, note: "a legal hold keeps this person's records" },
        };
      }
      const erased = await eraseSubjectIn(trx, deps, acting, subjectId, now);
      if (!erased.ok) throw errorOf(erased);
      return {
        state: "fulfilled",
        result: { sections: erased.value.sections.map((s) => ({ ...s })), kept: [...erased.value.kept] },
      };
    }
    case "access":
    case "portable_export":
    case "disclosure_report": {
      const link = await makeLink(trx, row.request_id, "download", now);
      return { state: "fulfilled", result: { downloadExpiresAt: link.expiresAt.toISOString() } };
    }
    case "correction": {
      const purpose = pack.requests?.self_service?.purpose;
      const corrections = details.corrections ?? {};
      if (purpose === undefined) {
        return {
          state: "denied",
          reason: "claim_not_covered",
          result: { note: "this policy keeps no self-service record to correct" },
        };
      }
      const updated = await updateSubject(
        deps,
        acting,
        {
          subjectId,
          purpose,
          collectionPoint: `request.${row.request_id}`,
          fields: corrections as Record<string, string>,
        },
        trx,
      );
      if (!updated.ok) throw errorOf(updated);
      return {
        state: "fulfilled",
        result: { corrected: Object.keys(corrections).sort(), version: updated.value.version },
      };
    }
    default: {
      const never: never = row.kind;
      return never;
    }
  }
}

/** Marketing stops on these channels for the person a list removal fits (Z16-14, Z19-06). */
export const REMOVAL_CHANNELS: readonly Channel[] = ["email", "postal", "catalogue"];

/**
 * Removal from marketing, mail and email lists: the person the request fits (matched at intake,
 * or now, from its digest, when it fitted nobody then) has email, post and catalogues stopped,
 * and the addresses given go on the Do Not Send list for the channels the pack keeps one for,
 * even when the request fits nobody. The result holds counts and field names only.
 */
async function removeFromLists(
  trx: Transaction<Database>,
  deps: SubjectsDeps,
  acting: Acting,
  pack: PolicyPack,
  row: RequestRow,
  ctx: { readonly actor: string; readonly now: Date },
): Promise<Fulfilment> {
  const digest = await digestOfRequest(trx, row.request_id);
  let subjects: string[] = [];
  if (row.subject_id !== null) {
    const live = await trx
      .selectFrom("subjects")
      .select("subject_id")
      .where("subject_id", "=", row.subject_id)
      .where("erased_at", "is", null)
      .executeTakeFirst();
    subjects = live === undefined ? [] : [live.subject_id];
  } else if (digest !== null) {
    const matched = await matchSubjects(trx, deps, acting, digest);
    subjects = matched.length === 1 ? [matched[0]!.subjectId] : [];
  }
  for (const subjectId of subjects)
    for (const channel of REMOVAL_CHANNELS)
      await stopChannelIn(trx, pack, subjectId, channel, { source: "staff" }, ctx);
  const listed = new Set(pack.messages.suppression?.channels ?? []);
  let suppressed = 0;
  for (const channel of REMOVAL_CHANNELS) {
    if (!listed.has(channel) || digest === null) continue;
    const index = channel === "email" ? digest.email : digest.postal;
    if (index === null) continue;
    const { added } = await suppressIndex(
      trx,
      { channel, addressIndex: index, reason: "request", source: "staff" },
      ctx,
    );
    if (added) suppressed += 1;
  }
  return {
    state: "fulfilled",
    result: {
      matched: subjects.length,
      fields: digest?.fields ?? [],
      channels: [...REMOVAL_CHANNELS],
      suppressed,
    },
  };
}

async function digestOfRequest(trx: Transaction<Database>, requestId: string): Promise<MatchDigest | null> {
  const row = await trx
    .selectFrom("list_removal_digests")
    .selectAll()
    .where("request_id", "=", requestId)
    .executeTakeFirst();
  if (row === undefined) return null;
  return {
    fields: row.fields === "" ? [] : row.fields.split(","),
    email: row.email_index,
    postal: row.postal_index,
    firstName: row.first_name_index,
    lastName: row.last_name_index,
    zip: row.zip_index,
  };
}

/** Does the request's work and closes it as the work says (fulfilled, or denied with its reason). */
export async function fulfilAndClose(
  trx: Transaction<Database>,
  deps: RequestsDeps,
  acting: Acting,
  pack: PolicyPack,
  row: RequestRow,
  details: RequestDetails,
  actor: string,
  now: Date,
): Promise<RequestRow> {
  const done = await fulfilIn(trx, deps, acting, pack, row, details, actor, now);
  await trx
    .updateTable("rights_requests")
    .set({ result: JSON.stringify(done.result) })
    .where("request_id", "=", row.request_id)
    .execute();
  await appendAudit(trx, [
    {
      type: "request.fulfilled",
      at: now,
      actor,
      subjectId: row.subject_id,
      payload: { requestId: row.request_id, kind: row.kind, result: done.result },
    },
  ]);
  const closed = await transition(
    trx,
    pack,
    { ...row, result: JSON.stringify(done.result) },
    done.state === "denied" ? { to: "denied", reason: done.reason } : { to: "fulfilled" },
    actor,
    now,
  );
  return closed;
}
