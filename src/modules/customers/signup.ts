import { appendAudit } from "../../audit/append.ts";
import { recordConsents } from "../consent/consent.service.ts";
import { checkTarget } from "../consent/consent.targets.ts";
import type { ConsentInput } from "../consent/consent.ts";
import { createSubject } from "../subjects/create.ts";
import type { Refusal } from "../subjects/subjects.ts";
import * as repo from "./customers.repository.ts";
import type { CustomersDeps } from "./customers.service.ts";
import { selfServicePurpose, type PasswordProblem } from "./customers.ts";
import { hashPassword, passwordProblem } from "./passwords.ts";
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
    }
  | { readonly ok: false; readonly kind: "weak_password"; readonly problem: PasswordProblem }
  | { readonly ok: false; readonly kind: "no_self_service" }
  | ({ readonly ok: false } & Refusal);

export const SIGNUP_COLLECTION_POINT = "web.signup";

/**
 * Registers a customer: the record through the subjects service (a `collect` under the pack's
 * self-service purpose, so the gate's minimum age refuses a child and nothing the child sent is
 * kept: Z16-15, Z19-07), then the account with its argon2id hash, the first session and the
 * consent choices. Everything that can be refused is checked before the record is created
 * (password, consent targets, and the gate inside createSubject), so a refusal keeps nothing.
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

  const created = await createSubject(
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
  if (!created.ok) return created;
  const subjectId = created.value.id;
  const now = deps.clock();
  // createSubject commits on its own; the account follows at once. Only a crash in between can
  // leave a record without an account, which staff see and the person can be invited to claim.
  const session = await deps.db.transaction().execute(async (trx) => {
    await repo.insertAccount(trx, subjectId, passwordHash, now);
    const s = await insertSession(trx, subjectId, now, deps.settings.sessionTtlMs);
    await appendAudit(trx, [
      {
        type: "customer.signed_up",
        at: now,
        actor: `customer:${subjectId}`,
        subjectId,
        payload: { session: s.ref },
      },
    ]);
    return s;
  });
  if (consents.length > 0) {
    await recordConsents(deps.db, pack, subjectId, consents, { actor: `customer:${subjectId}`, now });
  }
  return { ok: true, subjectId, customerNumber: created.value.customerNumber, session };
}
