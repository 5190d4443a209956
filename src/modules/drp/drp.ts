import type { Claimant, NewRequest, RequestKind } from "../requests/requests.ts";

/**
 * The Data Rights Protocol 1.0 as Pledge speaks it, on the Covered Business's side: the agents
 * Pledge trusts, the actions an agent may exercise and what each becomes in Pledge's request
 * model, and the identity claims of a request as a `Claimant`. Pure: no I/O.
 */

/** An authorised agent's id in the DRP service directory: upper-case letters, digits and `_`. */
export const AGENT_ID_PATTERN = /^[A-Z0-9_]{1,100}$/;

export const AGENT_STATUSES = ["active", "disabled"] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export interface Agent {
  readonly id: string;
  readonly name: string;
  /** The Ed25519 verify key, 32 raw bytes. */
  readonly verifyKey: Buffer;
  readonly webUrl: string | null;
  readonly status: AgentStatus;
  readonly createdAt: Date;
  readonly disabledAt: Date | null;
}

/**
 * A verify key as the directory gives it: base64 of 32 bytes (DRP 0.9.1 and later) or 64 hex
 * digits (OSIRAA's own directory and fixtures). Null for anything else.
 */
export function parseVerifyKey(text: string): Buffer | null {
  const given = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(given)) return Buffer.from(given, "hex");
  if (!isStrictBase64(given)) return null;
  const raw = Buffer.from(given, "base64");
  return raw.length === 32 ? raw : null;
}

/** Standard-alphabet base64 with its padding, and nothing else (Node's decoder skips junk). */
export function isStrictBase64(text: string): boolean {
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}

/** The rights actions of DRP 1.0 (§3.01), in the spelling Pledge emits. */
export const DRP_ACTIONS = [
  "sale:opt-out",
  "sale:opt-in",
  "deletion",
  "access",
  "access:categories",
  "access:specific",
] as const;
export type DrpAction = (typeof DRP_ACTIONS)[number];

/**
 * The action an `exercise` claim names. The directory schema and OSIRAA still spell the sale
 * actions with `_` (`sale:opt_out`); both spellings are accepted. Null: not a DRP action.
 */
export function drpAction(exercise: unknown): DrpAction | null {
  if (typeof exercise !== "string") return null;
  const spelled = exercise.replace(/^sale:opt_(out|in)$/, "sale:opt-$1");
  return (DRP_ACTIONS as readonly string[]).includes(spelled) ? (spelled as DrpAction) : null;
}

/**
 * The kind of Pledge request an action becomes; null when Pledge takes no such request (an opt-in
 * to sale: Pledge records consent to sell through its consent module, not as a rights request).
 */
export function kindOf(action: DrpAction): RequestKind | null {
  switch (action) {
    case "sale:opt-out":
      return "opt_out_sale";
    case "deletion":
      return "deletion";
    case "access":
    case "access:categories":
    case "access:specific":
      return "access";
    case "sale:opt-in":
      return null;
    default: {
      const never: never = action;
      return never;
    }
  }
}

/** The jurisdiction a `regime` claim states: CCPA is California's; anything else states none. */
export function jurisdictionOf(regime: unknown): string | undefined {
  return regime === "ccpa" ? "US-CA" : undefined;
}

/**
 * The person as the identity claims (§3.04) give them. `name` is "Last, First" (OSIRAA) or
 * "First Last"; `address` is an OIDC address object, used when it has its parts (street, locality,
 * postal code, country; `formatted` alone cannot be matched on), and its postal code as the ZIP. Claims of
 * the wrong type are ignored: they identify no one.
 */
export function claimantOf(claims: Readonly<Record<string, unknown>>): Claimant {
  const out: { -readonly [K in keyof Claimant]: Claimant[K] } = {};
  const email = text(claims.email);
  if (email !== undefined) out.email = email;
  const name = text(claims.name);
  if (name !== undefined) {
    const comma = name.indexOf(",");
    const [first, last] =
      comma >= 0
        ? [name.slice(comma + 1).trim(), name.slice(0, comma).trim()]
        : splitAtLastSpace(name.trim());
    if (first !== "") out.firstName = first;
    if (last !== "") out.lastName = last;
  }
  const address = claims.address;
  if (typeof address === "object" && address !== null && !Array.isArray(address)) {
    const a = address as Record<string, unknown>;
    const lines = (text(a.street_address) ?? "")
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== "");
    const [city, region, postalCode, country] = [a.locality, a.region, a.postal_code, a.country].map(text);
    // Matching needs the parts: an address given only as `formatted` text is not used.
    if (lines.length > 0 && city !== undefined && postalCode !== undefined && country !== undefined) {
      out.postalAddress = {
        line1: lines[0]!,
        ...(lines.length > 1 ? { line2: lines.slice(1).join(", ") } : {}),
        city,
        ...(region === undefined ? {} : { region }),
        postalCode,
        country,
      };
    }
    if (postalCode !== undefined) out.zip = postalCode;
  }
  return out;
}

function splitAtLastSpace(name: string): [string, string] {
  const space = name.lastIndexOf(" ");
  return space < 0 ? [name, ""] : [name.slice(0, space).trim(), name.slice(space + 1).trim()];
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** The exercise claims of an opened envelope that Pledge acts on. */
export interface Exercise {
  readonly action: DrpAction | null;
  /** The claim as sent, for the record of a refused exercise. */
  readonly exercise: string;
  readonly agentRequestId: string | undefined;
  readonly callback: string | undefined;
  readonly regime: string | undefined;
}

export function exerciseOf(claims: Readonly<Record<string, unknown>>): Exercise {
  return {
    action: drpAction(claims.exercise),
    exercise: typeof claims.exercise === "string" ? claims.exercise.slice(0, 100) : "",
    agentRequestId: text(claims["agent-request-id"]),
    callback: callbackUrl(claims.status_callback),
    regime: text(claims.regime),
  };
}

/** A status callback Pledge will call: an http(s) URL only; anything else is dropped. */
export function callbackUrl(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length > 2000) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** The Pledge request an exercise of a covered action becomes. */
export function newRequestOf(
  agentId: string,
  kind: RequestKind,
  exercise: Exercise,
  claims: Readonly<Record<string, unknown>>,
): NewRequest {
  const jurisdiction = jurisdictionOf(exercise.regime);
  return {
    kind,
    intake: "agent",
    claimant: claimantOf(claims),
    ...(jurisdiction === undefined ? {} : { jurisdiction }),
    ...(exercise.action !== null && exercise.action !== "access" && kind === "access"
      ? { details: { text: `DRP exercise ${exercise.action}` } }
      : {}),
    agent: {
      id: agentId,
      ...(exercise.agentRequestId === undefined ? {} : { requestId: exercise.agentRequestId }),
      ...(exercise.callback === undefined ? {} : { callback: exercise.callback }),
    },
  };
}
