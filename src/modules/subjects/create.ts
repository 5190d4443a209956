import { randomUUID } from "node:crypto";
import type { Transaction } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import { ageAt } from "../../gate/age.ts";
import type { SubjectFacts } from "../../gate/types.ts";
import { auditActor, type Acting } from "../../use/acting.ts";
import { useIn, type UseScope } from "../../use/kernel.ts";
import { clausesOf, fail, ok, type Result } from "../../use/refusal.ts";
import { addressField, jurisdictionOf, newCustomerNumber } from "./subjects.ts";
import type { AddressKind, ProfileField, SubjectStatus } from "./subjects.ts";
import {
  identityOwner,
  isUniqueViolation,
  putFields,
  putIdentities,
  stampFor,
} from "./subjects.repository.ts";
import type { SubjectsDeps } from "./subjects.service.ts";
import { cleanAddress, cleanProfile, type AddressInput } from "./subjects.values.ts";
import { insertAddress } from "./addresses.repository.ts";
import type { Database } from "../../store/database.ts";

export interface CreateSubjectInput {
  readonly status: SubjectStatus;
  /** The purpose the data is collected for: the gate checks a `collect` use of every field sent. */
  readonly purpose: string;
  /** Where the data was given, e.g. `web.signup`, `phone.billing`, `import.2024-05`. */
  readonly collectionPoint: string;
  /** YYYY-MM-DD. Under a pack's minimum age, the gate needs it to let a collection through. */
  readonly birthDate?: string | null;
  readonly jurisdiction?: string | null;
  readonly fields: Readonly<Partial<Record<ProfileField, string>>>;
  readonly addresses?: readonly (AddressInput & { readonly kind: AddressKind })[];
}

/** What a creation answers: ids, version and field names; no personal value. */
export interface CreatedSubject {
  readonly id: string;
  /** The ZM-13 identifier; personal data: the HTTP create response does not carry it. */
  readonly customerNumber: string;
  readonly status: SubjectStatus;
  readonly version: number;
  readonly createdAt: string;
  readonly fields: readonly string[];
}

/**
 * Creates a subject in its own transaction. The gate is asked first (a `collect` of every field
 * sent, with the person's age from the birth date): a refusal writes nothing the person sent
 * (Z16-15), only an audit event naming the fields. A duplicate email or phone (409) writes nothing
 * but the decision. Callable by staff, integrations and the customer sign-up alike (actor kind
 * `customer`); a caller that writes more in the same transaction uses `createSubjectIn`.
 */
export async function createSubject(
  deps: SubjectsDeps,
  acting: Acting,
  input: CreateSubjectInput,
): Promise<Result<CreatedSubject>> {
  try {
    return await deps.db.transaction().execute((trx) => createSubjectIn(trx, deps, acting, input));
  } catch (error) {
    // A concurrent creation took the identity between the check and the insert.
    if (isUniqueViolation(error)) return fail({ kind: "duplicate", identity: "email" });
    throw error;
  }
}

/**
 * `createSubject` inside the caller's transaction. A refusal or a duplicate answers with only
 * audit events written, so the caller commits them and writes nothing else. An identity taken by
 * a concurrent creation between the check and the insert makes the insert fail with a unique
 * violation (`isUniqueViolation`): the transaction is then lost, and the caller rolls it back.
 */
export async function createSubjectIn(
  trx: Transaction<Database>,
  deps: SubjectsDeps,
  acting: Acting,
  input: CreateSubjectInput,
): Promise<Result<CreatedSubject>> {
  const now = deps.clock();
  const at = now.toISOString();
  const addresses = input.addresses ?? [];
  const names = [...new Set([...Object.keys(input.fields), ...addresses.map((a) => addressField(a.kind))])];
  const facts: SubjectFacts = {
    status: input.status,
    age: input.birthDate ? ageAt(input.birthDate, at) : null,
    jurisdiction: jurisdictionOf(input.jurisdiction),
    consents: {},
    optOuts: [],
    suppressed: [],
    permissions: [],
  };
  const ask = { action: "collect" as const, purpose: input.purpose, fields: names };
  const result = await useIn(trx, deps, acting, { given: facts }, ask, (scope) =>
    insertSubject(scope, deps, input, names),
  );
  if (!result.ok && (result.kind === "refused" || result.kind === "under_age")) {
    // Nothing the person sent is kept (Z16-15): only which fields were refused, and why.
    await appendAudit(trx, [
      {
        type: "subject.collection_refused",
        at: now,
        actor: auditActor(acting.actor),
        subjectId: null,
        payload: {
          purpose: input.purpose,
          fields: names,
          clauses: clausesOf(result.decision),
          code: result.decision.reasons[0]?.code ?? "denied",
        },
      },
    ]);
  }
  return result;
}

async function insertSubject(
  scope: UseScope,
  deps: SubjectsDeps,
  input: CreateSubjectInput,
  names: readonly string[],
): Promise<Result<CreatedSubject>> {
  const { trx, now, pack, acting } = scope;
  // A partial collect (some fields outside the purpose) is refused whole: nothing half-kept.
  if (scope.decision.outcome !== "allow") return fail({ kind: "refused", decision: scope.decision });
  const addresses = input.addresses ?? [];
  const profile = cleanProfile(deps.vault, input.fields);
  const cleanAddresses = addresses.map((a, i) => ({
    kind: a.kind,
    clean: cleanAddress(deps.vault, a, `addresses.${i}`),
  }));
  const errors = [
    ...(profile.ok ? [] : profile.errors),
    ...cleanAddresses.flatMap((a) => (a.clean.ok ? [] : a.clean.errors)),
  ];
  if (!profile.ok || errors.length > 0) return fail({ kind: "invalid", errors });

  const stamp = stampFor(input, now, pack);
  for (const identity of profile.value.identities) {
    if (identity.kind === "postal") continue;
    if ((await identityOwner(trx, identity.kind, identity.blindIndex, null)) !== null) {
      return fail<CreatedSubject>({ kind: "duplicate", identity: identity.kind });
    }
  }
  const id = randomUUID();
  const customerNumber = newCustomerNumber();
  await trx
    .insertInto("subjects")
    .values({
      subject_id: id,
      status: input.status,
      birth_date: input.birthDate ?? null,
      jurisdiction: jurisdictionOf(input.jurisdiction),
      created_at: now,
      updated_at: now,
      customer_number: customerNumber,
      version: 1,
      collection_point: input.collectionPoint,
      purpose: input.purpose,
      policy_version: pack.version,
    })
    .execute();
  await trx
    .insertInto("customer_numbers")
    .values({ customer_number: customerNumber, subject_id: id })
    .execute();
  const view = scope.narrow(await deps.vault.createSubjectKey(trx, id));
  await putFields(trx, view, profile.value.fields, stamp);
  await putIdentities(trx, view, profile.value.identities, now, true);
  for (const a of cleanAddresses)
    if (a.clean.ok) await insertAddress(trx, view, a.kind, a.clean.value, stamp);
  scope.created(id);
  scope.record({
    type: "subject.created",
    at: now,
    actor: auditActor(acting.actor),
    subjectId: id,
    payload: {
      fields: [...names],
      status: input.status,
      purpose: input.purpose,
      collectionPoint: input.collectionPoint,
      policyVersion: pack.version,
    },
  });
  return ok<CreatedSubject>({
    id,
    customerNumber,
    status: input.status,
    version: 1,
    createdAt: now.toISOString(),
    fields: [...names],
  });
}
