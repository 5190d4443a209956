import { PledgeError } from "../../errors.ts";
import { systemActing } from "../../use/acting.ts";
import { lawFor } from "./deadlines.ts";
import { checkLink, linkKey, markUsed } from "./requests.links.ts";
import { CUSTOMER_SERVICE_QUEUE, queueOf } from "./requests.match.ts";
import { fulfilAndClose } from "./requests.fulfil.ts";
import type { RequestsDeps } from "./requests.deps.ts";
import { openedValues } from "./requests.values.ts";
import { isOptOut, type RequestView } from "./requests.ts";
import { oweNotice, transition } from "./requests.transition.ts";
import { viewOf } from "./requests.view.ts";

/**
 * A public request's verification link used: the address it was sent to is under the person's
 * control. Nothing is disclosed before this. The request is matched on that address: the person
 * on record under it, verified (and an opt-out done at once); nobody, denied `no_match` (the
 * notice tells the person Pledge holds nothing under that address). A link works once, until it
 * expires; a second use, a forged or an expired link is PLEDGE_REQUEST_LINK_INVALID and changes
 * nothing.
 */
const acting = systemActing("request-verification");
const actor = "system:request-verification";

export async function verifyRequest(deps: RequestsDeps, token: string): Promise<RequestView> {
  const now = deps.clock();
  const pack = deps.policies.at(now.toISOString()).pack;
  const key = await linkKey(deps.db);
  const view = await deps.db.transaction().execute(async (trx) => {
    const link = await checkLink(key, trx, token, "verify", now);
    if (!link.ok)
      throw new PledgeError("PLEDGE_REQUEST_LINK_INVALID", `the verification link is ${link.why}`);
    const row = await trx
      .selectFrom("rights_requests")
      .selectAll()
      .where("request_id", "=", link.requestId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (row.state !== "identity_unverified") {
      throw new PledgeError("PLEDGE_REQUEST_LINK_INVALID", "the verification link was used already");
    }
    await markUsed(trx, link.linkId, now);
    const person =
      row.email_index === null
        ? undefined
        : await trx
            .selectFrom("subject_identities as i")
            .innerJoin("subjects as s", "s.subject_id", "i.subject_id")
            .select(["s.subject_id", "s.jurisdiction"])
            .where("i.kind", "=", "email")
            .where("i.blind_index", "=", row.email_index)
            .where("s.erased_at", "is", null)
            .executeTakeFirst();
    if (person === undefined) {
      return viewOf(
        pack,
        await transition(trx, pack, row, { to: "denied", reason: "no_match" }, actor, now),
        now,
      );
    }
    const jurisdiction = row.jurisdiction ?? person.jurisdiction;
    const matched = {
      ...row,
      subject_id: person.subject_id,
      jurisdiction,
      law: row.jurisdiction === null ? lawFor(pack, jurisdiction) : row.law,
      queue: jurisdiction === null ? CUSTOMER_SERVICE_QUEUE : queueOf(pack, jurisdiction),
    };
    await trx
      .updateTable("rights_requests")
      .set({ subject_id: matched.subject_id, jurisdiction, law: matched.law, queue: matched.queue })
      .where("request_id", "=", row.request_id)
      .execute();
    const verified = await transition(trx, pack, matched, { to: "verified" }, actor, now);
    await oweNotice(trx, row.request_id, "acknowledgement", now);
    if (!isOptOut(row.kind)) return viewOf(pack, verified, now);
    const opened = await openedValues(trx, deps.vault, row);
    return viewOf(
      pack,
      await fulfilAndClose(trx, deps, acting, pack, verified, opened?.details ?? {}, actor, now),
      now,
    );
  });
  deps.onChange?.(view.id);
  return view;
}

/**
 * Requests whose verification link expired unused: the person never proved control of the
 * address, so the request is `expired` (no notice: the address is not known to be theirs).
 * Run on the notice sweep; returns how many expired.
 */
export async function expireUnverified(
  deps: Pick<RequestsDeps, "db" | "policies" | "clock">,
): Promise<number> {
  const now = deps.clock();
  const pack = deps.policies.at(now.toISOString()).pack;
  const stale = await deps.db
    .selectFrom("rights_requests as r")
    .select("r.request_id")
    .where("r.state", "=", "identity_unverified")
    .where("r.intake", "=", "public")
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("request_links as l")
            .select("l.link_id")
            .whereRef("l.request_id", "=", "r.request_id")
            .where("l.purpose", "=", "verify")
            .where("l.expires_at", ">", now),
        ),
      ),
    )
    .limit(500)
    .execute();
  for (const { request_id: id } of stale) {
    await deps.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom("rights_requests")
        .selectAll()
        .where("request_id", "=", id)
        .forUpdate()
        .executeTakeFirst();
      if (row?.state === "identity_unverified")
        await transition(trx, pack, row, { to: "expired" }, actor, now);
    });
  }
  return stale.length;
}
