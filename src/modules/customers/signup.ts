import { appendAudit } from "../../audit/append.ts";
import { recordConsentsIn } from "../consent/consent.service.ts";
import { checkTarget } from "../consent/consent.targets.ts";
import type { ConsentInput } from "../consent/consent.ts";
import { createSubjectIn } from "../subjects/create.ts";
import { isUniqueViolation } from "../subjects/subjects.repository.ts";
import type { Refusal } from "../../use/refusal.ts";
import * as repo from "./customers.repository.ts";
import type { CustomersDeps } from "./customers.service.ts";
import { selfServicePurpose, type PasswordProblem } from "./customers.ts";
import { hashPassword, passwordProblem } from "./passwords.ts";
import { issueDevice, type IssuedDevice } from "./devices.ts";
import { insertSession, type NewSession } from "./sessions.ts";

export interface SignupInput {
  readonly email: string;
  readonly password: string;
  readonly firstName: string;
  readonly lastName: string;
  /** YYYY-MM-DD: the pack's minimum age is checked against it (Z16-15, Z19-07). */
  readonly birthDate: string;
  readonly jurisdiction?: string | null;
  /** The choices ticked on the form, recorded with source `web`. */
  readonly consents?: readonly Omit<ConsentInput, "source">[];
}

export type SignupResult =
  | {
      readonly ok: true;
      readonly subjectId: string;
      readonly customerNumber: string;
      readonly session: NewSession;
      /** The browser that signed up is the account's first known device. */
      readonly device: IssuedDevice;
    }
  | { readonly ok: false; readonly kind: "weak_password"; readonly problem: PasswordProblem }
  | { readonly ok: false; readonly kind: "no_self_service" }
  | ({ readonly ok: false } & Refusal);

export const SIGNUP_COLLECTION_POINT = "web.signup";

/**
 * Registers a customer in ONE transaction: the record through the subjects service (a `collect`
 * under the pack's self-service purpose, so the gate's minimum age refuses a child and nothing the
 * child sent is kept: Z16-15, Z19-07), the account with its argon2id hash, the first session and
 * the consent choices. Whatever is refused or fails on the way, no part of the sign-up remains:
 * a refusal by the gate or a duplicate identity commits only its audit events, and an error in a
 * later step rolls the whole sign-up back. The password and the consent targets are checked
 * before anything is written.
 */
export async function signUp(deps: CustomersDeps, input: SignupInput): Promise<SignupResult> {
  const problem = passwordProblem(input.password);
  if (problem !== null) return { ok: false, kind: "weak_password", problem };
  const { pack } = deps.subjects.policies.at(deps.clock().toISOString());
  const purpose = selfServicePurpose(pack);
  if (purpose === null) return { ok: false, kind: "no_self_service" };
  const consents: ConsentInput[] = (input.consents ?? []).map((c) => ({ ...c, source: "web" }));
  for (const c of consents) checkTarget(pack, c); // throws the 400 before anything is written
  const passwordHash = await hashPassword(input.password);

  try {
    return await deps.db.transaction().execute(async (trx): Promise<SignupResult> => {
      const created = await createSubjectIn(
        trx,
        deps.subjects,
        { actor: { kind: "customer", id: "new" }, attested: false },
        {
          status: "customer",
          purpose,
          collectionPoint: SIGNUP_COLLECTION_POINT,
          birthDate: input.birthDate,
          jurisdiction: input.jurisdiction ?? null,
          fields: { first_name: input.firstName, last_name: input.lastName, email: input.email },
        },
      );
      if (!created.ok) return created; // only the refusal's audit events commit
      const subjectId = created.value.id;
      const now = deps.clock();
      await repo.insertAccount(trx, subjectId, passwordHash, now);
      const session = await insertSession(trx, subjectId, now, deps.settings.sessionTtlMs);
      const device = await issueDevice(trx, subjectId, now, deps.settings.deviceTtlMs);
      await appendAudit(trx, [
        {
          type: "customer.signed_up",
          at: now,
          actor: `customer:${subjectId}`,
          subjectId,
          payload: { session: session.ref },
        },
      ]);
      if (consents.length > 0) {
        await recordConsentsIn(trx, pack, subjectId, consents, { actor: `customer:${subjectId}`, now });
      }
      return { ok: true, subjectId, customerNumber: created.value.customerNumber, session, device };
    });
  } catch (error) {
    // A concurrent sign-up took the email between the check and the insert: nothing was kept.
    if (isUniqueViolation(error)) return { ok: false, kind: "duplicate", identity: "email" };
    throw error;
  }
}
