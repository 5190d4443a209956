import { normaliseEmail, normalisePhone } from "../../crypto/normalise.ts";
import { deleteContact, insertContact, readContacts, type ContactRecord } from "./contacts.repository.ts";
import { cipherOf } from "./read.ts";
import { useSubject } from "./subjects.access.ts";
import { touch, stampFor } from "./subjects.repository.ts";
import type { SubjectsDeps } from "./subjects.service.ts";
import { auditActor, fail, type Acting, type InvalidValue, type Result } from "./subjects.ts";

/**
 * Extra contacts of a customer (ZM-07): people the customer adds to the account. Adding one is a
 * `collect` of the contact's name, email and phone for the stated purpose; reading them is a
 * `read` projected to the fields the purpose allows. Changes bump the record's version.
 */
export interface ContactInput {
  readonly name: string;
  readonly email?: string | null;
  readonly phone?: string | null;
}

export interface Writing {
  readonly subjectId: string;
  readonly purpose: string;
  readonly collectionPoint: string;
}

const fieldsOf = (c: ContactInput) => [
  "first_name",
  "last_name",
  ...(c.email ? ["email"] : []),
  ...(c.phone ? ["phone"] : []),
];

export async function addContact(
  deps: SubjectsDeps,
  acting: Acting,
  input: Writing & { readonly contact: ContactInput },
): Promise<Result<{ contactId: string; version: number }>> {
  const c = input.contact;
  const errors: InvalidValue[] = [];
  const email = c.email ? normaliseEmail(c.email) : null;
  const phone = c.phone ? normalisePhone(c.phone) : null;
  if (email && !email.ok)
    errors.push({ path: "contact.email", code: "PLEDGE_INVALID_EMAIL", detail: email.detail });
  if (phone && !phone.ok)
    errors.push({ path: "contact.phone", code: "PLEDGE_INVALID_PHONE", detail: phone.detail });
  if (errors.length > 0) return fail({ kind: "invalid", errors });
  const fields = fieldsOf(c);
  const ask = { action: "collect" as const, purpose: input.purpose, fields };
  return useSubject(
    deps,
    acting,
    input.subjectId,
    ask,
    async ({ trx, subject, now, pack }) => {
      const cipher = await cipherOf(deps, trx, subject.subjectId);
      const stamp = stampFor(input, now, pack);
      const value = {
        name: c.name.trim(),
        email: email?.ok ? email.value : null,
        phone: phone?.ok ? phone.value : null,
      };
      const contactId = await insertContact(trx, cipher, value, stamp);
      const version = await touch(trx, subject.subjectId, now);
      const payload = {
        fields,
        purpose: input.purpose,
        collectionPoint: input.collectionPoint,
        version,
        change: "contact_added" as const,
      };
      const event = {
        type: "subject.updated" as const,
        at: now,
        actor: auditActor(acting.actor),
        subjectId: subject.subjectId,
        payload,
      };
      return { value: { contactId, version }, events: [event] };
    },
    { lock: true },
  );
}

export async function listContacts(
  deps: SubjectsDeps,
  acting: Acting,
  input: { readonly subjectId: string; readonly purpose: string },
): Promise<Result<ContactRecord[]>> {
  const known = deps.policies.at(deps.clock().toISOString()).policy.fieldCategory;
  const fields = ["first_name", "last_name", "email", "phone"].filter((f) => known.has(f));
  const ask = { action: "read" as const, purpose: input.purpose, fields, projection: true };
  return useSubject(deps, acting, input.subjectId, ask, async ({ trx, subject, decision }) => {
    const cipher = await cipherOf(deps, trx, subject.subjectId);
    return { value: await readContacts(trx, cipher, new Set(decision.fields)) };
  });
}

export async function removeContact(
  deps: SubjectsDeps,
  acting: Acting,
  input: Writing & { readonly contactId: string },
): Promise<Result<{ version: number }>> {
  const ask = { action: "collect" as const, purpose: input.purpose, fields: ["first_name", "last_name"] };
  return useSubject<{ version: number }>(
    deps,
    acting,
    input.subjectId,
    ask,
    async ({ trx, subject, now }) => {
      if (!(await deleteContact(trx, subject.subjectId, input.contactId)))
        return { refusal: { kind: "not_found" } };
      const version = await touch(trx, subject.subjectId, now);
      const payload = {
        fields: ["first_name", "last_name", "email", "phone"],
        purpose: input.purpose,
        collectionPoint: input.collectionPoint,
        version,
        change: "contact_removed" as const,
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
