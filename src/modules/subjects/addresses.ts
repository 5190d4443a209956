import type { Acting } from "../../use/acting.ts";
import { use } from "../../use/kernel.ts";
import { fail, ok, type Result } from "../../use/refusal.ts";
import { deleteAddress, insertAddress, readAddresses, type AddressRecord } from "./addresses.repository.ts";
import { changed, type Writing } from "./changes.ts";
import { stampFor } from "./subjects.repository.ts";
import type { SubjectsDeps } from "./subjects.service.ts";
import { ADDRESS_KINDS, addressField, type AddressKind } from "./subjects.ts";
import { cleanAddress, type AddressInput } from "./subjects.values.ts";

/**
 * Billing, shipping and postal addresses (ZM-07). Adding one is a `collect` of its field
 * (billing_address, shipping_address, postal_address) for the stated purpose; listing is a
 * `read` projected to the kinds the purpose allows.
 */
export async function addAddress(
  deps: SubjectsDeps,
  acting: Acting,
  input: Writing & { readonly kind: AddressKind; readonly address: AddressInput },
): Promise<Result<{ addressId: string; version: number }>> {
  const clean = cleanAddress(deps.vault, input.address);
  if (!clean.ok) return fail({ kind: "invalid", errors: clean.errors });
  const field = addressField(input.kind);
  const ask = { action: "collect" as const, purpose: input.purpose, fields: [field] };
  return use(
    deps,
    acting,
    { subject: input.subjectId },
    ask,
    async (scope) => {
      const stamp = stampFor(input, scope.now, scope.pack);
      const addressId = await insertAddress(scope.trx, await scope.view(), input.kind, clean.value, stamp);
      const version = await changed(scope, input, [field], "address_added");
      return ok({ addressId, version });
    },
    { lock: true },
  );
}

export async function listAddresses(
  deps: SubjectsDeps,
  acting: Acting,
  input: { readonly subjectId: string; readonly purpose: string },
): Promise<Result<AddressRecord[]>> {
  const known = deps.policies.at(deps.clock().toISOString()).policy.fieldCategory;
  const fields = ADDRESS_KINDS.map(addressField).filter((f) => known.has(f));
  const ask = { action: "read" as const, purpose: input.purpose, fields, projection: true };
  return use(deps, acting, { subject: input.subjectId }, ask, async (scope) =>
    ok(await readAddresses(scope.trx, await scope.view())),
  );
}

export async function removeAddress(
  deps: SubjectsDeps,
  acting: Acting,
  input: Writing & { readonly addressId: string; readonly kind: AddressKind },
): Promise<Result<{ version: number }>> {
  const field = addressField(input.kind);
  const ask = { action: "collect" as const, purpose: input.purpose, fields: [field] };
  return use<{ version: number }>(
    deps,
    acting,
    { subject: input.subjectId },
    ask,
    async (scope) => {
      const kind = await deleteAddress(scope.trx, scope.subject!.subjectId, input.addressId);
      if (kind === null || kind !== input.kind) return fail({ kind: "not_found" });
      return ok({ version: await changed(scope, input, [field], "address_removed") });
    },
    { lock: true },
  );
}
