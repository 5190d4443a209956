import { normaliseEmail, normalisePhone } from "../../crypto/normalise.ts";
import type { Acting } from "../../use/acting.ts";
import { use } from "../../use/kernel.ts";
import { fail, ok, type InvalidValue, type Result } from "../../use/refusal.ts";
import { changed, type Writing } from "./changes.ts";
import { deleteContact, insertContact, readContacts, type ContactRecord } from "./contacts.repository.ts";
import { stampFor } from "./subjects.repository.ts";
import type { SubjectsDeps } from "./subjects.service.ts";

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
  return use(
    deps,
    acting,
    { subject: input.subjectId },
    ask,
    async (scope) => {
      const stamp = stampFor(input, scope.now, scope.pack);
      const value = {
        name: c.name.trim(),
        email: email?.ok ? email.value : null,
        phone: phone?.ok ? phone.value : null,
      };
      const contactId = await insertContact(scope.trx, await scope.view(), value, stamp);
      const version = await changed(scope, input, fields, "contact_added");
      return ok({ contactId, version });
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
  return use(deps, acting, { subject: input.subjectId }, ask, async (scope) =>
    ok(await readContacts(scope.trx, await scope.view())),
  );
}

export async function removeContact(
  deps: SubjectsDeps,
  acting: Acting,
  input: Writing & { readonly contactId: string },
): Promise<Result<{ version: number }>> {
  const ask = { action: "collect" as const, purpose: input.purpose, fields: ["first_name", "last_name"] };
  return use<{ version: number }>(
    deps,
    acting,
    { subject: input.subjectId },
    ask,
    async (scope) => {
      if (!(await deleteContact(scope.trx, scope.subject!.subjectId, input.contactId)))
        return fail({ kind: "not_found" });
      const fields = ["first_name", "last_name", "email", "phone"];
      return ok({ version: await changed(scope, input, fields, "contact_removed") });
    },
    { lock: true },
  );
}
