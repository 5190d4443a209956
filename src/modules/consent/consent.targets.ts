import { PERMISSIONS } from "../../gate/types.ts";
import { PledgeError } from "../../errors.ts";
import type { Channel, PolicyPack } from "../../policy/schema.ts";
import type { ConsentInput, TargetKind } from "./consent.ts";

/**
 * What the pack in force lets the ledger name. A target the pack does not know is refused before
 * anything is written; ids that exist in the pack are all that is checked, so a consent given
 * under one version keeps governing under the next as long as its ids still exist (Z19-11).
 */
export function checkTarget(pack: PolicyPack, input: ConsentInput): void {
  const channel = input.channel ?? "";
  const where = `${pack.company} ${pack.version}`;
  const kind: TargetKind = input.targetKind;
  switch (kind) {
    case "purpose": {
      const purpose = pack.purposes.find((p) => p.id === input.target);
      if (!purpose) throw unknown("PLEDGE_UNKNOWN_PURPOSE", "purpose", input.target, where);
      checkChannel(channel, purpose.channels, `purpose ${purpose.id}`);
      return;
    }
    case "topic": {
      const topic = pack.topics.find((t) => t.id === input.target);
      if (!topic) throw unknown("PLEDGE_UNKNOWN_TOPIC", "topic", input.target, where);
      checkChannel(channel, topic.channels, `topic ${topic.id}`);
      return;
    }
    case "sharing":
      if (!sharingScopes(pack).includes(input.target)) {
        throw unknown("PLEDGE_UNKNOWN_SHARING_SCOPE", "sharing scope", input.target, where);
      }
      checkChannel(channel, [], `sharing scope ${input.target}`);
      return;
    case "permission":
      if (!(PERMISSIONS as readonly string[]).includes(input.target)) {
        throw unknown("PLEDGE_UNKNOWN_PERMISSION", "permission", input.target, where);
      }
      checkChannel(channel, [], `permission ${input.target}`);
      // A pack that never sells has nothing a sale permission could allow (ZZ-06): granting one
      // would put a promise on file that the company has made impossible.
      if (input.target === "sale" && input.action === "granted" && pack.sale.allowed === "never") {
        throw new PledgeError(
          "PLEDGE_UNKNOWN_PERMISSION",
          `${where} never sells personal information: there is no sale permission to grant`,
          pack.sale.clauses,
        );
      }
      return;
    default: {
      const never: never = kind;
      throw new Error(`unknown target kind ${String(never)}`);
    }
  }
}

/** The sharing scopes the pack names: every recipient's `opt_out_scope`. */
export function sharingScopes(pack: PolicyPack): string[] {
  return [
    ...new Set(pack.recipients.flatMap((r) => (r.opt_out_scope === undefined ? [] : [r.opt_out_scope]))),
  ];
}

/**
 * What "stop marketing on this channel" covers (ZM-06): every purpose that sends marketing and may
 * use the channel, and every topic on the channel governed by such a purpose.
 */
export function marketingTargetsOn(
  pack: PolicyPack,
  channel: Channel,
): { kind: "purpose" | "topic"; id: string }[] {
  const marketing = pack.purposes.filter(
    (p) =>
      (p.message_classes ?? []).includes("marketing") &&
      (p.channels === undefined || p.channels.includes(channel)),
  );
  const ids = new Set(marketing.map((p) => p.id));
  const topics = pack.topics.filter((t) => ids.has(t.purpose) && t.channels.includes(channel));
  return [
    ...marketing.map((p) => ({ kind: "purpose" as const, id: p.id })),
    ...topics.map((t) => ({ kind: "topic" as const, id: t.id })),
  ];
}

/**
 * What a Global Privacy Control signal stops: the sale permission, and the sharing scopes of the
 * recipients outside the company (marketing partners and affiliates).
 */
export function gpcScopes(pack: PolicyPack): string[] {
  const outside = pack.recipients.filter((r) => r.kind === "marketing_partner" || r.kind === "affiliate");
  return [...new Set(outside.flatMap((r) => (r.opt_out_scope === undefined ? [] : [r.opt_out_scope])))];
}

function checkChannel(channel: Channel | "", allowed: readonly Channel[] | undefined, what: string): void {
  if (channel === "" || allowed === undefined || allowed.includes(channel)) return;
  const list = allowed.length === 0 ? "no channel: leave channel empty" : `only ${allowed.join(", ")}`;
  throw new PledgeError("PLEDGE_CONSENT_CHANNEL_INVALID", `${what} takes ${list}, not ${channel}`);
}

function unknown(
  code:
    | "PLEDGE_UNKNOWN_PURPOSE"
    | "PLEDGE_UNKNOWN_TOPIC"
    | "PLEDGE_UNKNOWN_SHARING_SCOPE"
    | "PLEDGE_UNKNOWN_PERMISSION",
  what: string,
  id: string,
  where: string,
): PledgeError {
  return new PledgeError(code, `${what} ${JSON.stringify(id)} is not in ${where}`);
}
