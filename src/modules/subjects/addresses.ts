import { deleteAddress, insertAddress, readAddresses, type AddressRecord } from "./addresses.repository.ts";
import type { Writing } from "./contacts.ts";
import { cipherOf } from "./read.ts";
import { useSubject } from "./subjects.access.ts";
import { touch, stampFor } from "./subjects.repository.ts";
import type { SubjectsDeps } from "./subjects.service.ts";
import {
  ADDRESS_KINDS,
  addressField,
  auditActor,
  fail,
  type Acting,
  type AddressKind,
  type Result,
} from "./subjects.ts";
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
  return useSubject(
    deps,
    acting,
    input.subjectId,
    ask,
    async ({ trx, subject, now, pack }) => {
      const cipher = await cipherOf(deps, trx, subject.subjectId);
      const stamp = stampFor(input, now, pack);
      const addressId = await insertAddress(trx, cipher, input.kind, clean.value, stamp);
      const version = await touch(trx, subject.subjectId, now);
      const payload = {
        fields: [field],
        purpose: input.purpose,
        collectionPoint: input.collectionPoint,
        version,
        change: "address_added" as const,
      };
      const event = {
        type: "subject.updated" as const,
        at: now,
        actor: auditActor(acting.actor),
        subjectId: subject.subjectId,
        payload,
      };
      return { value: { addressId, version }, events: [event] };
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
  return useSubject(deps, acting, input.subjectId, ask, async ({ trx, subject, decision }) => {
    const cipher = await cipherOf(deps, trx, subject.subjectId);
    const kinds = ADDRESS_KINDS.filter((k) => decision.fields.includes(addressField(k)));
    return { value: await readAddresses(trx, cipher, kinds) };
  });
}

export async function removeAddress(
  deps: SubjectsDeps,
  acting: Acting,
  input: Writing & { readonly addressId: string; readonly kind: AddressKind },
): Promise<Result<{ version: number }>> {
  const field = addressField(input.kind);
  const ask = { action: "collect" as const, purpose: input.purpose, fields: [field] };
  return useSubject<{ version: number }>(
    deps,
    acting,
    input.subjectId,
    ask,
    async ({ trx, subject, now }) => {
      const kind = await deleteAddress(trx, subject.subjectId, input.addressId);
      if (kind === null || kind !== input.kind) return { refusal: { kind: "not_found" } };
      const version = await touch(trx, subject.subjectId, now);
      const payload = {
        fields: [field],
        purpose: input.purpose,
        collectionPoint: input.collectionPoint,
        version,
        change: "address_removed" as const,
      };
      const event = {
        type: "subject.updated" as const,
        at: now,
        actor: auditActor(acting.actor),
        subjectId: subject.subjectId,
        payload,
      };
      return { value: { version }, events: [event] };
    },
    { lock: true },
  );
}
