import type { Actor } from "../gate/types.ts";

/**
 * Who makes a use, as the kernel sees them: the gate's actor and whether a confidentiality
 * attestation is on file (ZZ-04). A staff key of a pack role acts as that staff member; a key of
 * Pledge's own `admin` role acts as the system (an integration), and is held to the attestation
 * rule like any other person holding a key; a signed-in customer acts as themself; Pledge's own
 * jobs act as the system and are attested by construction.
 */
export interface Acting {
  readonly actor: Actor;
  readonly attested: boolean;
}

/** The role that manages staff and keys. It is Pledge's own, not a pack role. */
export const ADMIN_ROLE = "admin";

/** What a staff API key proves about its holder (src/modules/staff). */
export interface StaffCredential {
  readonly staffId: string;
  readonly role: string;
  readonly attested: boolean;
}

export function staffActing(caller: StaffCredential): Acting {
  const actor: Actor =
    caller.role === ADMIN_ROLE
      ? { kind: "system", id: caller.staffId }
      : { kind: "staff", id: caller.staffId, role: caller.role };
  return { actor, attested: caller.attested };
}

export function customerActing(subjectId: string): Acting {
  return { actor: { kind: "customer", id: subjectId }, attested: true };
}

/** Pledge itself (a send worker, a scheduled job), named by what it is doing: `job:<name>`. */
export function systemActing(job: string): Acting {
  return { actor: { kind: "system", id: `job:${job}` }, attested: true };
}

/** The audit log's actor label: `customer:<id>`, `staff:<id>`, `system:<job>` or `system`. */
export function auditActor(actor: Actor): string {
  switch (actor.kind) {
    case "customer":
      return `customer:${actor.id}`;
    case "staff":
    case "agent":
      return `staff:${actor.id}`;
    case "system":
      if (actor.id.startsWith("job:")) return `system:${actor.id.slice(4)}`;
      return actor.id === "" || actor.id === "system" ? "system" : `staff:${actor.id}`;
    default: {
      const never: never = actor.kind;
      throw new Error(`unknown actor kind ${String(never)}`);
    }
  }
}
